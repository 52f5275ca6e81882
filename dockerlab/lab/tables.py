"""Lessons 06-07 of the lab API: the tables (`docker ps`, `docker stats --no-stream`, `docker system df`).

Listings come from the gate (:meth:`dockerlab.gate.Gate.listing`): only what the learner may
see, and a line that says how many others there were, never who.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .. import args as A
from .. import errors as E
from .. import frames, labels, policy, stats as stats_mod, stats_sources
from ..results import Container
from .base import LabBase


class TablesMixin(LabBase):
    """`docker ps`, `docker stats`, `docker system df` (see :class:`dockerlab.lab.Lab`)."""

    def _filters(self, scope: str) -> dict:
        return self._gate.filters(scope, session=self.session, lesson=self.lesson)

    def _listing(self, scope: str, *, all: bool = False) -> list[dict]:
        """The containers of ``scope`` the learner may see (:func:`dockerlab.policy.filter_listing`);
        how many others the scope holds is said in one line, never who they are."""
        rows, hidden = self._gate.listing(all=all, filters=self._filters(scope))
        if hidden:
            self._say(f"({hidden} container{'s' if hidden != 1 else ''} of other learners not shown: "
                      "a teacher's setting, allow_others, shows them)")
        return rows

    def _scope_twin(self, scope: str) -> str:
        if scope == "engine":
            return ""
        flt = {"mine": f"label={labels.OWNER}={self.owner}",
               "session": f"label={labels.SESSION}={self.session}",
               "lesson": f"label={labels.OWNER}={self.owner} --filter label={labels.LESSON}={self.lesson}",
               "kit": f"label={labels.MANAGED}=true"}[scope]
        return f"--filter {flt}"

    def ps(self, all: bool = False, *, scope: str = "mine"):
        """`docker ps` (``all=True``: `docker ps -a`) as a DataFrame, sorted by name.

        ``scope``: "mine" (default: the containers the kit made for you), "session"
        (this notebook's), "kit" (the kit's), "engine" (everything, as the CLI). Another
        learner's containers are never listed (a line says how many were left out) unless
        the teacher's settings allow it (:mod:`dockerlab.policy`).
        """
        all = A.flag(all, "all")
        self._filters(scope)
        cli = self._twin(" ".join(w for w in ("docker ps", "-a" if all else "", self._scope_twin(scope) if scope != "mine" else "") if w))
        df = frames.ps_frame(self._listing(scope, all=all))
        df.attrs["cli"] = cli
        return df

    # --- stats -------------------------------------------------------------------------
    def stats(self, containers=None, *, scope: str = "mine", source: str | None = None,
              interval: float | None = None):
        """`docker stats --no-stream`: one snapshot of CPU %, memory, I/O and PIDs.

        Beside a local engine the numbers come from the kernel's own files (each
        container's cgroup, ``/proc/stat``, ``/proc/<pid>/net/dev``: what the engine's
        collector reads), CPU % over ``interval`` seconds (0.25 by default); else from
        the Engine API, CPU % over two rounds of the engine's collector (one second
        apart), every container's stream opened at once. ``source``: "auto" (default),
        "kernel" or "engine"; ``df.attrs["source"]`` says which answered, and a line
        below the command says where the numbers were read. A container that is not
        running shows zeros at once, as the CLI shows it.
        """
        self._filters(scope)
        if containers is not None and not isinstance(containers, str) and (
                not isinstance(containers, (list, tuple)) or not all(isinstance(c, str) for c in containers)
                or len(containers) > 200):
            raise E.InvalidReference(f"containers= is a name or a list of names, not {containers!r}"[:160],
                                     value=repr(containers)[:80], hint="for example lab.stats(['web', 'db'])")
        if interval is not None and (isinstance(interval, bool) or not isinstance(interval, (int, float))
                                     or not 0.05 <= interval <= 10):
            raise E.InvalidReference(f"interval is the seconds CPU % is measured over, from 0.05 to 10, not {interval!r}",
                                     value=repr(interval), hint="for example lab.stats(interval=1.0)")
        if containers is None:
            live, stopped = [self._gate.row(c, "read the stats of", act=False) for c in self._listing(scope)], []
        else:
            wanted = [A.container_ref(c) for c in ([containers] if isinstance(containers, str) else containers)]
            seen = self._stats_targets(wanted)
            live = [t for t in seen if t.container.state not in ("created", "exited", "dead")]
            stopped = [t.container for t in seen if t not in live]
        by_id = {t.id: t.name for t in live + stopped}
        sampled = {t.id: t for t in live}
        if containers:
            names = " ".join([containers] if isinstance(containers, str) else containers)
        elif scope in ("mine", "engine"):  # as `ps` shows it: plain, the learner's own by default
            names = ""
        else:  # `docker stats` has no --filter: name the containers with `docker ps -q`
            names = f"$(docker ps -q {self._scope_twin(scope)})"
        cli = self._twin(" ".join(w for w in ("docker stats --no-stream", names) if w))
        rows, how, line = stats_sources.table(self.engine, list(sampled), by_id,
                                              lambda ids: self._sample_all([sampled[i] for i in ids]),
                                              source=source, interval=interval)
        if line:
            self._say(line)
        rows += [_zero_row(c) for c in stopped]
        df = frames.stats_frame(rows)
        df.attrs["cli"] = cli
        df.attrs["source"] = how
        return df

    def stats_files(self, container: str):
        """Where `docker stats` gets its numbers: the kernel's files for ``container`` (its cgroup,
        ``/proc/stat``, ``/proc/<pid>/net/dev``), each read now, with what it means. Beside a remote engine,
        a VM's or udocker: an empty frame, and a line that says why."""
        c = self._gate.look(container, "read the stats files of")
        self._twin(f"cat /proc/$(docker inspect -f '{{{{.State.Pid}}}}' {c.name})/cgroup")
        df = stats_sources.files_frame(self.engine, c.id)
        if df.attrs.get("reason"):
            self._say(f"(the kernel's files for {c.name} cannot be read here: {df.attrs['reason']}; the engine reads "
                      "them where it runs, and lab.stats() shows their numbers through the Engine API)")
            return df
        self._say(f"(cgroup files under {df.attrs['root'] or '/'}; <id> is {c.id[:12]}..., the container's full id; "
                  f"its first process is PID {df.attrs['pid']})")
        return df

    def _stats_targets(self, wanted: list[str]) -> list:
        """The containers named in ``wanted``, resolved by the gate to be read, from one listing
        instead of an inspect each. A name not plainly found, or another learner's, goes through
        :meth:`dockerlab.gate.Gate.look`, which raises the error that says why."""
        listed, _ = self._gate.listing(all=True)
        by_id = {c["Id"]: c for c in listed}
        by_name = {n.lstrip("/"): c for c in listed for n in (c.get("Names") or [])}
        out = []
        for ref in wanted:
            c = by_id.get(ref) or by_name.get(ref)
            if c is None and ref and all(ch in "0123456789abcdef" for ch in ref):
                hits = [d for cid, d in by_id.items() if cid.startswith(ref)]
                c = hits[0] if len(hits) == 1 else None
            lab = (c or {}).get("Labels") or {}
            if c is None or policy.whose(lab, self.owner) != "mine":
                out.append(self._gate.look(ref, "read the stats of"))
                continue
            out.append(self._gate.row(c, "read the stats of", act=False))
        return out

    def _sample_all(self, ids: list) -> list:
        """Two samples of each target (resolved by the gate), every stream opened at once."""
        if not ids:
            return []
        if len(ids) == 1:  # no thread pool for one: its first sample is the engine's next
            got = [self._two_samples(ids[0])]
        else:  # one thread per stream, so all subscribe before the engine's next tick
            with ThreadPoolExecutor(max_workers=min(len(ids), 64)) as pool:
                got = list(pool.map(self._two_samples, ids))
        return [r for r in got if r is not None]

    def _two_samples(self, target):
        """Open a stats stream, keep two samples: CPU % from their delta."""
        stream = None
        try:
            stream = self._gate.on(target, "stats", stream=True)
            first = next(stream)
            second = next(stream)
            return stats_mod.row(second, pre=first.get("cpu_stats"))
        except (StopIteration, E.ContainerNotFound):
            return None  # it stopped or went away while sampled
        finally:
            if stream is not None:
                stream.close()

    def system_df(self):
        """`docker system df`: disk used by images, containers, volumes and the build cache (a DataFrame)."""
        self._twin("docker system df")
        df = frames.system_df_frame(self._gate.df())
        df.attrs["cli"] = "docker system df"
        return df


def _zero_row(c: "Container") -> stats_mod.StatsRow:
    """The row `docker stats --no-stream` shows for a container that is not running: all zeros."""
    return stats_mod.StatsRow(id=c.short_id, name=c.name, cpu_percent=0.0, mem_usage=0, mem_limit=0,
                              mem_percent=0.0, net_rx=0, net_tx=0, block_read=0, block_write=0, pids=0)
