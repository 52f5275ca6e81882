"""The teacher's view (as root): who is connected, each learner's running containers with their
CPU and memory, stopping a learner's containers, and every learner's exercise results.

From a notebook run by the teacher (root)::

    from dockerlab.classroom.teacher import Classroom
    room = Classroom()              # the classroom in /var/lib/dockerlab/classroom
    room.status()                   # a DataFrame: one row per learner
    room.containers()               # one row per learner container, with CPU % and memory
    room.stop_containers("learner03")
    room.results()                  # one row per learner, one column per exercise
"""
from __future__ import annotations

import json
import pwd
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from .. import errors as E
from .. import refs
from .engines import LearnerEngine
from .progress import every_exercise, read as read_progress, summary
from .settings import Settings


class Classroom:
    def __init__(self, state: str | None = None, settings: Settings | None = None):
        self.settings = settings or Settings.load(state)

    # --- the hub ---------------------------------------------------------------------------
    def api(self, method: str, path: str, body: dict | None = None, timeout: float = 30):
        """Call the hub's REST API with the teacher's service token; JSON back (or None)."""
        req = urllib.request.Request(f"http://127.0.0.1:{self.settings.port + 1}/hub/api{path}", method=method,
                                     headers={"Authorization": f"token {self.settings.token}"},
                                     data=None if body is None else json.dumps(body).encode())
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
        return json.loads(data) if data else None

    def users(self) -> dict[str, dict]:
        try:
            return {u["name"]: u for u in self.api("GET", "/users")}
        except (urllib.error.URLError, OSError) as e:
            raise E.DockerLabError("The classroom's hub does not answer", state=str(e),
                                   hint="start it: sudo dockerlab classroom up") from None

    def spawn(self, user: str) -> None:
        try:
            self.api("POST", f"/users/{user}/server", {})
        except urllib.error.HTTPError as e:
            if e.code != 400:  # 400: already running
                raise

    def stop_server(self, user: str) -> None:
        try:
            self.api("DELETE", f"/users/{user}/server")
        except urllib.error.HTTPError as e:
            if e.code not in (204, 400):
                raise

    # --- learners' engines -------------------------------------------------------------------
    def _gate(self, user: str):
        """A teacher's gate to a learner's engine: their containers seen and, confirmed, removed."""
        from ..endpoints import Endpoint
        from ..engine.docker_engine import DockerEngine
        from ..gate import Gate

        host = LearnerEngine.of(user).docker_host if self.settings.engines == "own" else self.settings.shared_host
        return Gate.for_teacher(DockerEngine(Endpoint(host, source=f"{user}'s engine"), timeout=20))

    def _learner_containers(self, user: str) -> list[dict]:
        from .. import labels, stats as stats_mod
        from ..results import row_name

        rows = []
        try:
            gate = self._gate(user)
            flt = None if self.settings.engines == "own" else {"label": labels.label_filter(owner=user)}
            listed = gate.containers(filters=flt)
        except E.DockerLabError:
            return rows
        for c in listed:
            name = row_name(c)
            cpu = mem = 0.0
            try:
                st = gate.on(gate.row(c, "read the stats of", act=False), "stats", stream=False)
                r = stats_mod.row(st)
                cpu, mem = r.cpu_percent, r.mem_usage
            except E.DockerLabError:
                pass
            rows.append({"LEARNER": user, "NAME": name, "IMAGE": c.get("Image", ""), "STATUS": c.get("Status", ""),
                         "CPU %": round(cpu, 1), "MEM": refs.format_bytes(mem)})
        return rows

    def containers(self):
        """Every learner's running containers (one row each), with CPU % and memory."""
        import pandas as pd

        with ThreadPoolExecutor(max_workers=8) as pool:
            per = list(pool.map(self._learner_containers, self.settings.learners))
        rows = sorted((r for rs in per for r in rs), key=lambda r: (r["LEARNER"], r["NAME"]))
        return pd.DataFrame(rows, columns=["LEARNER", "NAME", "IMAGE", "STATUS", "CPU %", "MEM"])

    def stop_containers(self, user: str) -> list[str]:
        """Stop and remove every container in a learner's engine (on a shared engine: theirs by label)."""
        from .. import labels
        from ..results import row_name

        gate = self._gate(user)
        flt = None if self.settings.engines == "own" else {"label": labels.label_filter(owner=user)}
        gone = []
        for _ in range(3):  # a container at its pids limit may need a second kill
            left = gate.containers(all=True, filters=flt)
            if not left:
                break
            for c in left:
                try:  # the teacher's word: confirmed, under the teacher's policy
                    gate.on(gate.row(c, "remove", confirm=True), "remove", force=True)
                    gone.append(row_name(c))
                except E.DockerLabError:
                    continue
        return sorted(set(gone))

    # --- results -------------------------------------------------------------------------------
    def results(self):
        """One row per learner, one column per exercise: ✓ passed, ✗ tried and not passed yet
        (plain signs with their word: no emoji font needed)."""
        import pandas as pd

        table = {}
        for user in self.settings.learners:
            try:
                home = pwd.getpwnam(user).pw_dir
            except KeyError:
                continue
            table[user] = {ex: ("✓ passed" if ok else "✗ tried") for ex, ok in summary(read_progress(home)).items()}
        df = pd.DataFrame.from_dict(table, orient="index")
        known = every_exercise()  # every declared check is a column, tried or not ("" = not tried)
        df = df.reindex(columns=known + sorted(set(df.columns) - set(known))).fillna("")
        df.index.name = "LEARNER"
        return df.reindex(sorted(table))

    def status(self):
        """One row per learner: connected, server, engine, containers running, memory, exercises passed."""
        import pandas as pd

        users = self.users()
        rows = []
        for name in self.settings.learners:
            u = users.get(name, {})
            server = (u.get("servers") or {}).get("", {})
            eng = LearnerEngine.of(name)
            engine_up = eng.answers(timeout=2) if self.settings.engines == "own" else None
            try:
                passed = sum(summary(read_progress(pwd.getpwnam(name).pw_dir)).values())
            except KeyError:
                passed = 0
            mem = eng.memory_bytes() if engine_up else None
            rows.append({"LEARNER": name,
                         "SERVER": "ready" if server.get("ready") else ("starting" if server.get("pending") else "-"),
                         "LAST ACTIVE": (u.get("last_activity") or "")[:19].replace("T", " "),
                         "ENGINE": {True: "up", False: "down", None: "shared"}[engine_up],
                         "ENGINE MEM": refs.format_bytes(mem) if mem else "",
                         "PASSED": passed})
        return pd.DataFrame(rows, columns=["LEARNER", "SERVER", "LAST ACTIVE", "ENGINE", "ENGINE MEM", "PASSED"])
