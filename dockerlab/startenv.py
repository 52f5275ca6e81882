"""The environment this process started with: what a hub's spawner set.

Read once, at import, so that ``os.environ["DOCKERLAB_ALLOW_OTHERS"] = "1"`` in a learner's kernel
changes nothing. Per process by nature; the teacher's settings (:mod:`dockerlab.guards`) and the
owner (:mod:`dockerlab.labels`) are read from it.
"""
from __future__ import annotations

import os

START_ENV: dict = dict(os.environ)
