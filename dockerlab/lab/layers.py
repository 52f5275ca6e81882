"""Lesson 15 of the lab API: what an image's layers hold, read from its `docker save` archive.

A later ``RUN rm`` hides a file from the image's containers and leaves it in the layer that wrote it:
:meth:`LayersMixin.find_in_layers` shows each layer's part in one file's story, and
:meth:`LayersMixin.layers_holding` which files of which layers hold a text (a secret that should not
be there). Both save the image to a temporary archive (through the gate) and read it with
:mod:`dockerlab.engine.archives`; the archive is removed at once.
"""
from __future__ import annotations

import contextlib
import os
import tarfile
import tempfile

from .. import buildopts
from .. import errors as E
from .. import refs
from ..engine import archives
from .base import LabBase
from .build import _instruction_of


class LayersMixin(LabBase):
    """Reading an image's layers (see :class:`dockerlab.lab.Lab`)."""

    @contextlib.contextmanager
    def _saved(self, image: str):
        """The image's `docker save` archive, in a temporary file removed afterwards. An archive the kit
        cannot read is the engine's fault, said as the kit's error."""
        refs.parse_image(image)
        self._need("save", "docker save", state="nothing was done",
                   hint="read the image's layers where a Docker Engine runs")
        self._twin(f"docker save -o image.tar {image}")
        fd, path = tempfile.mkstemp(prefix="dockerlab-save-", suffix=".tar")
        try:
            with os.fdopen(fd, "wb") as f:
                for chunk in self._gate.save_images([image]):
                    f.write(chunk)
            try:
                yield path
            except (tarfile.TarError, KeyError, IndexError, ValueError, OSError) as e:
                raise E.EngineError(f"Could not read the layers of {image} from its docker save archive: {e}",
                                    explanation=str(e), state="nothing was changed",
                                    hint="save it in the Terminal (docker save -o image.tar IMAGE) and look inside "
                                         "with tar -tf image.tar") from e
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)

    def find_in_layers(self, image: str, path: str, *, limit: int = 200):
        """One file in each layer of ``image``, oldest layer first, as a DataFrame: the instruction that
        made the layer (CREATED BY), what it did to the file (FILE: "written", "deleted", or "" when it left
        it alone) and the start of the text it wrote (TEXT, ``limit`` characters). A "deleted" layer only
        hides the file from the layers above it: the layer that wrote it still holds it."""
        import pandas as pd

        if not isinstance(path, str) or not path.strip("/ ") or "\x00" in path or len(path) > 4096:
            raise E.InvalidReference(f"find_in_layers() takes a file's path in the image, not {path!r}"[:200],
                                     value=repr(path)[:80],
                                     hint="for example lab.find_in_layers(image, '/tmp/token.txt')")
        with self._saved(image) as archive:
            self._say(f"(then each layer's tar in image.tar, oldest first: tar -xOf LAYER {path.lstrip('/')})")
            rows = archives.find_in_layers(archive, path, limit=limit)
        df = pd.DataFrame([{"LAYER": r["layer"], "CREATED BY": _instruction_of(r["created_by"]), "FILE": r["state"],
                            "TEXT": r["text"]} for r in rows], columns=["LAYER", "CREATED BY", "FILE", "TEXT"])
        df.attrs["cli"] = f"docker save -o image.tar {image}"
        return df

    def layers_holding(self, image: str, text: str):
        """Every file of every layer of ``image`` whose bytes hold ``text``, as a DataFrame (LAYER, CREATED BY,
        FILE); empty when no layer has it. The text is not printed (it may be a secret)."""
        import pandas as pd

        if not isinstance(text, str) or len(text.strip()) < 4 or len(text) > buildopts.MAX_SECRET_BYTES:
            raise E.InvalidReference("layers_holding() looks for a text of 4 characters or more (up to 500 kB)",
                                     value="(not shown)",
                                     hint="give the whole secret, e.g. Path('token.txt').read_text().strip()")
        with self._saved(image) as archive:
            self._say("(then every file of each layer's tar in image.tar searched for the text you gave, not shown)")
            hits = archives.layers_holding(archive, text.strip().encode())
        return pd.DataFrame([{"LAYER": n, "CREATED BY": _instruction_of(made_by), "FILE": f"/{name}"}
                             for n, made_by, name in hits], columns=["LAYER", "CREATED BY", "FILE"])
