"""dockerlab: learn Docker by doing, in JupyterLab.

    import dockerlab
    lab = dockerlab.connect()      # finds the engine as the docker CLI does
    lab.run("alpine", "echo hello")
"""
from .connect import connect
from .errors import DockerLabError
from .terminal_boxes import terminal
from .tracking import progress

__version__ = "0.1.0"
__all__ = ["connect", "DockerLabError", "progress", "terminal", "__version__"]
