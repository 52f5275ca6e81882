"""The lab API: one method per command of the tutorial, each showing its CLI twin.

Flow: notebook -> widgets -> Lab (here) -> gate (:mod:`dockerlab.gate`: the owner and the
teacher's policy) -> engine backend (:mod:`dockerlab.engine`) -> Docker Engine. The Lab is cut
by API area, as docker-py cuts its ``APIClient``; each area is a mixin of :class:`.base.LabBase`.
It returns dockerlab objects (:mod:`dockerlab.results`) and pandas frames, and never imports the
docker SDK.
"""
from __future__ import annotations

from ..results import CleanupReport, Container, ExecResult, Image, Info, RunResult, Text  # noqa: F401
from .base import LabBase
from .build import BuildMixin, BuildResult, build_source, history_frame  # noqa: F401
from .cleanup import CleanupMixin
from .compose import ComposeApp, ComposeMixin  # noqa: F401
from .containers import ContainersMixin
from .images import ImagesMixin
from .layers import LayersMixin
from .networks import Network, NetworksMixin, networks_frame  # noqa: F401
from .rest import RestMixin
from .run import RunMixin, RunPlan  # noqa: F401
from .tables import TablesMixin
from .volumes import Volume, VolumesMixin, volumes_frame  # noqa: F401
from .web import WebLink, WebMixin, jupyter_prefix  # noqa: F401


class Lab(RunMixin, ContainersMixin, ImagesMixin, TablesMixin, CleanupMixin, RestMixin, BuildMixin, LayersMixin,
          WebMixin, VolumesMixin, NetworksMixin, ComposeMixin, LabBase):
    """The lab: what ``dockerlab.connect()`` returns.

    What a learner may do is decided in :mod:`dockerlab.policy` and applied by the lab's gate
    (:class:`dockerlab.gate.Gate`), the only way to the engine; ``lab.engine`` is the engine
    contract seen through that gate (:class:`dockerlab.guarded.GuardedEngine`).
    ``with connect() as lab:`` closes it.
    """
