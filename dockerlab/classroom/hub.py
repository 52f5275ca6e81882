"""JupyterHub's side of the classroom: its config and the spawner's hooks.

``dockerlab classroom up`` writes a ``jupyterhub_config.py`` that only calls
:func:`configure` with the classroom's state folder. The hub runs as root; each learner's
server runs as that learner (``LocalProcessSpawner``). Before a server starts,
:func:`pre_spawn` starts the learner's rootless engine (``engines.LearnerEngine``) and puts
``DOCKER_HOST`` in the server's environment (JupyterLab's Terminal inherits it); after it
stops (the learner, the teacher or the idle culler stopped it), :func:`post_stop` stops the engine
and every process in the learner's cgroup; their files stay in their home.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from .engines import Limits, LearnerEngine
from .settings import Settings


def learner_environment(settings: Settings, user: str) -> dict:
    """What a learner's server (and its Terminal, and its kernels) gets in its environment."""
    env = {"DOCKERLAB_OWNER": user, "DOCKERLAB_REGISTRY_PORT": str(settings.mirror_served_port),
           "PATH": f"{settings.venv}/bin:/usr/local/bin:/usr/bin:/bin"}
    if user == settings.teacher:  # their TeacherView asks the teacher's gate (teacher_service.py)
        env["DOCKERLAB_TEACHER_URL"] = settings.teacher_url
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
            pid = await asyncio.to_thread(engine.start, mirror_port=settings.mirror_served_port,
                                          limits=Limits.from_env())
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
    from .signin import authenticator_class

    s = Settings.load(state)
    st = Path(s.state)
    c.JupyterHub.ip = s.ip
    c.JupyterHub.port = s.port
    if s.tls_cert:  # the proxy answers HTTPS only; the hub's own API stays on loopback
        c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = s.tls_cert, s.tls_key
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{s.port + 1}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.port + 2}"
    c.ConfigurableHTTPProxy.pid_file = str(st / "proxy.pid")
    c.JupyterHub.db_url = f"sqlite:///{st / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(st / "cookie_secret")
    # a restart of the hub (a config change, a crash) leaves the learners' servers, engines and
    # containers running, and the proxy with its routes: the hub finds them again at its start
    c.JupyterHub.cleanup_servers = False
    c.JupyterHub.cleanup_proxy = False
    # each learner's own password (signin.py says why NativeAuthenticator); nobody signs up
    c.JupyterHub.authenticator_class = authenticator_class()
    c.ClassroomAuthenticator.state_dir = str(st)
    c.NativeAuthenticator.enable_signup = False
    c.NativeAuthenticator.check_common_password = True
    c.NativeAuthenticator.minimum_password_length = 10
    c.NativeAuthenticator.allowed_failed_logins = 10  # then 60 s before the next try of that name
    c.NativeAuthenticator.seconds_before_next_try = 60
    c.Authenticator.allowed_users = set(s.learners)
    c.Authenticator.admin_users = {s.teacher}
    c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    c.Spawner.cmd = [f"{s.venv}/bin/jupyterhub-singleuser"]
    c.Spawner.notebook_dir = "~/notebooks"
    c.Spawner.default_url = s.default_url
    # a learner's JupyterLab asks no one outside: no news pop-up, no update check
    c.Spawner.args = ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    c.Spawner.start_timeout = 180
    c.Spawner.http_timeout = 180
    c.Spawner.pre_spawn_hook, c.Spawner.post_stop_hook = make_hooks(s)
    services = [{"name": "dockerlab-teacher", "api_token": s.token, "url": s.teacher_url,
                 "command": [f"{s.venv}/bin/python3", "-m", "dockerlab.classroom.teacher_service", str(st),
                             str(s.port + 4)]}]
    roles = [{"name": "dockerlab-teacher", "services": ["dockerlab-teacher"],
              "scopes": ["admin:users", "admin:servers", "access:servers", "read:users:activity"]}]
    if s.cull_idle > 0:  # jupyterhub-idle-culler, as zero-to-jupyterhub runs it
        services.append({"name": "idle-culler", "command": [
            f"{s.venv}/bin/python3", "-m", "dockerlab.classroom.culler", str(st), f"--timeout={s.cull_idle}",
            f"--cull-every={max(10, min(300, s.cull_idle // 2))}"]})
        roles.append({"name": "idle-culler", "services": ["idle-culler"],
                      "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]})
    c.JupyterHub.services = services
    c.JupyterHub.load_roles = roles
    c.JupyterHub.last_activity_interval = 30
    return s
