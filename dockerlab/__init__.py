"""dockerlab: learn Docker by doing, in JupyterLab.

    import dockerlab
    lab = dockerlab.connect()      # finds the engine as the docker CLI does
    lab.run("alpine", "echo hello")
"""
from .connect import connect
from .errors import DockerLabError

__version__ = "0.1.0"
__all__ = ["connect", "DockerLabError", "progress", "terminal", "__version__"]

# loaded when first used (PEP 562): a lesson's first cell imports only what connect() needs
_LAZY = {"terminal": ("terminal_boxes", "terminal"), "progress": ("exercises", "progress")}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(f"{__name__}.{module}"), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
