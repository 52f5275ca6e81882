"""dockerlab classroom: a JupyterHub with an engine per learner (see engines.py, hub.py)."""
