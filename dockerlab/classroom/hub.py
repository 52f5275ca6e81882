"""JupyterHub's side of the classroom: its config and the spawner's hooks.

``dockerlab classroom up`` writes a ``jupyterhub_config.py`` that only calls
:func:`configure` with the classroom's state folder. The hub runs as root; each learner's
server runs as that learner (``LocalProcessSpawner``). Before a server starts,
:func:`pre_spawn` starts the learner's rootless engine (``engines.LearnerEngine``) and puts
``DOCKER_HOST`` in the server's environment (JupyterLab's Terminal inherits it); after it
stops, :func:`post_stop` stops the engine and every process in the learner's cgroup.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from .engines import Limits, LearnerEngine
from .settings import Settings


def learner_environment(settings: Settings, user: str) -> dict:
    """What a learner's server (and its Terminal, and its kernels) gets in its environment."""
    env = {"DOCKERLAB_OWNER": user, "DOCKERLAB_REGISTRY_PORT": str(settings.mirror_port),
           "PATH": f"{settings.venv}/bin:/usr/local/bin:/usr/bin:/bin"}
    if settings.engines == "own":
        env["DOCKER_HOST"] = LearnerEngine.of(user).docker_host
        env["DOCKERLAB_QUALIFY_NAMES"] = "0"  # an engine of one's own: plain names
    else:
        env["DOCKER_HOST"] = settings.shared_host
        env["DOCKERLAB_QUALIFY_NAMES"] = "1"  # one engine for all: names carry the learner
    return env


def make_hooks(settings: Settings):
    async def pre_spawn(spawner):
        user = spawner.user.name
        if settings.engines == "own":
            engine = LearnerEngine.of(user)
            spawner.log.info("dockerlab: starting %s's rootless engine", user)
            pid = await asyncio.to_thread(engine.start, mirror_port=settings.mirror_port, limits=Limits.from_env())
            spawner.log.info("dockerlab: %s's engine answers at %s (rootlesskit pid %s)", user, engine.socket, pid)
        spawner.environment = {**(spawner.environment or {}), **learner_environment(settings, user)}

    async def post_stop(spawner):
        if settings.engines == "own":
            user = spawner.user.name
            spawner.log.info("dockerlab: stopping %s's engine and containers", user)
            await asyncio.to_thread(LearnerEngine.of(user).stop)

    return pre_spawn, post_stop


def configure(c, state: str) -> Settings:
    """Fill JupyterHub's config ``c`` for the classroom kept in ``state``."""
    s = Settings.load(state)
    st = Path(s.state)
    c.JupyterHub.ip = s.ip
    c.JupyterHub.port = s.port
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{s.port + 1}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.port + 2}"
    c.ConfigurableHTTPProxy.pid_file = str(st / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{st / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(st / "cookie_secret")
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = s.password
    c.Authenticator.allowed_users = set(s.learners)
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    c.Spawner.cmd = [f"{s.venv}/bin/jupyterhub-singleuser"]
    c.Spawner.notebook_dir = "~/notebooks"
    c.Spawner.default_url = s.default_url
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    c.Spawner.pre_spawn_hook, c.Spawner.post_stop_hook = make_hooks(s)
    c.JupyterHub.services = [{"name": "dockerlab-teacher", "api_token": s.token}]
    c.JupyterHub.load_roles = [{"name": "dockerlab-teacher", "services": ["dockerlab-teacher"],
                                "scopes": ["admin:users", "admin:servers", "access:servers", "read:users:activity"]}]
    c.JupyterHub.last_activity_interval = 30
    return s
