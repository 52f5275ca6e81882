"""The teacher's gate: a hub service (run by the hub, as root) that answers the teacher alone.

The teacher's own server (not root) reads the room through it: ``TeacherView()`` there finds
``DOCKERLAB_TEACHER_URL`` in its environment and asks this service, with the server's own
JupyterHub token (``JUPYTERHUB_API_TOKEN``). The service asks the hub whose token it is and
answers only the classroom's teacher (``403`` to anyone else); what it answers comes from
:class:`dockerlab.classroom.teacher.Classroom`, the same code ``sudo dockerlab classroom status``
runs, and the learners' containers from each learner's own engine.

    GET  /settings                 learners, engines, url
    GET  /status | /containers | /results      the tables (pandas "split" JSON)
    POST /stop/NAME                stop and remove that learner's containers
    POST /halt/NAME                stop that learner's server (and so their engine)
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

from ..errors import DockerLabError

TABLES = ("status", "containers", "results")
PIDFILE = "teacher-service.pid"  # in the classroom's state folder


def _whose(token: str, hub_api: str) -> str | None:
    """The user a JupyterHub token belongs to (None: not a user's, or no such token): the hub's
    own answer to "who am I" for that token."""
    req = urllib.request.Request(f"{hub_api}/user", headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            model = json.load(r)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return model.get("name") if model.get("kind", "user") == "user" else None


def make_app(state: str):
    import tornado.web

    from .settings import Settings
    from .teacher import Classroom

    settings = Settings.load(state)
    hub_api = f"http://127.0.0.1:{settings.port + 1}/hub/api"

    class Handler(tornado.web.RequestHandler):
        def prepare(self):
            auth = self.request.headers.get("Authorization", "")
            token = auth.split(" ", 1)[1] if auth.lower().startswith("token ") else ""
            if not token or _whose(token, hub_api) != settings.teacher:
                raise tornado.web.HTTPError(403, "the classroom's teacher only")
            self.room = Classroom(settings=settings)

        def reply(self, data) -> None:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(data))

        def failed(self, e: DockerLabError) -> None:
            self.set_status(502)
            self.reply({"error": str(e)})

    class Settings_(Handler):
        def get(self):
            self.reply({"learners": settings.learners, "engines": settings.engines, "url": settings.url})

    class Table(Handler):
        def get(self, name):
            try:
                df = getattr(self.room, name)()
            except DockerLabError as e:
                return self.failed(e)
            self.reply({"index": name == "results", "frame": json.loads(df.to_json(orient="split", force_ascii=False)),
                        "index_name": df.index.name})

    class Act(Handler):
        def post(self, action, learner):
            if learner not in settings.learners:
                raise tornado.web.HTTPError(404, f"no learner {learner!r} in this classroom")
            try:
                if action == "stop":
                    return self.reply({"removed": self.room.stop_containers(learner)})
                self.room.stop_server(learner)
                return self.reply({"halted": learner})
            except DockerLabError as e:
                return self.failed(e)

    return tornado.web.Application([(r"/settings", Settings_), (rf"/({'|'.join(TABLES)})", Table),
                                    (r"/(stop|halt)/([^/]+)", Act)])


def main(argv=None) -> None:
    import asyncio

    from pathlib import Path

    state, port = (argv or sys.argv[1:])[:2]
    Path(state, PIDFILE).write_text(str(os.getpid()))  # `down` stops it by this, should the hub not

    async def serve():
        make_app(state).listen(int(port), address="127.0.0.1")
        await asyncio.Event().wait()

    asyncio.run(serve())


class RemoteClassroom:
    """The teacher's side: what :class:`~dockerlab.classroom.teacher.Classroom` offers, asked of the
    teacher's gate with the teacher's own token (from their server's environment)."""

    def __init__(self, url: str | None = None, token: str | None = None):
        self.url = (url or os.environ["DOCKERLAB_TEACHER_URL"]).rstrip("/")
        self.token = token or os.environ.get("JUPYTERHUB_API_TOKEN", "")
        info = self._call("GET", "/settings")
        self.settings = type("RemoteSettings", (), info)()

    def _call(self, method: str, path: str):
        req = urllib.request.Request(self.url + path, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            raise DockerLabError(f"The classroom's teacher service refused: {e.code} {e.reason}",
                                 state=f"asked {path}", hint="sign in as the classroom's teacher") from None
        except (urllib.error.URLError, OSError) as e:
            raise DockerLabError("The classroom's teacher service does not answer", state=str(e),
                                 hint="is the hub up? sudo dockerlab classroom up") from None

    def _table(self, name: str):
        import pandas as pd

        data = self._call("GET", f"/{name}")
        f = data["frame"]
        df = pd.DataFrame(f["data"], columns=f["columns"], index=f["index"] if data["index"] else None)
        df.index.name = data["index_name"]
        return df

    def status(self):
        return self._table("status")

    def containers(self):
        return self._table("containers")

    def results(self):
        return self._table("results")

    def stop_containers(self, user: str) -> list[str]:
        return self._call("POST", f"/stop/{user}")["removed"]

    def stop_server(self, user: str) -> None:
        self._call("POST", f"/halt/{user}")


if __name__ == "__main__":
    main()
