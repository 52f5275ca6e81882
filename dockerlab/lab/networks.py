"""Lesson 14 of the lab API: networks (`docker network create/ls/inspect/rm`, `docker run --network`).

A mixin that :class:`dockerlab.lab.Lab` inherits. On a **user-defined network** the engine's own
DNS server (at 127.0.0.11 in every container) answers each container's name with its address, so
containers find each other by name; on the default ``bridge`` names do not resolve. Networks the
kit creates carry its labels, like its containers, and a container joins only a network of the
learner's own (the gate decides: :meth:`dockerlab.gate.Gate.network_mine`).
"""
from __future__ import annotations

import re

from .. import errors as E
from .base import LabBase

_NETWORK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")


def networks_frame(nets: list[dict]):
    """`docker network ls` as a DataFrame (NETWORK ID, NAME, DRIVER, SCOPE), sorted by name."""
    import pandas as pd

    rows = [{"NETWORK ID": (n.get("Id") or "")[:12], "NAME": n.get("Name", ""), "DRIVER": n.get("Driver", ""),
             "SCOPE": n.get("Scope", "")} for n in nets]
    df = pd.DataFrame(rows, columns=["NETWORK ID", "NAME", "DRIVER", "SCOPE"])
    return df.sort_values("NAME", ignore_index=True)


class Network(dict):
    """`docker network inspect NAME`: the engine's dict, with its containers as a table."""

    @property
    def name(self) -> str:
        return self.get("Name", "")

    @property
    def subnet(self) -> str:
        cfg = (self.get("IPAM") or {}).get("Config") or [{}]
        return cfg[0].get("Subnet", "") if cfg else ""

    def containers(self):
        """The containers on this network and their addresses on it (NAME, IPv4 ADDRESS); the
        inspect's ``Containers`` has their MAC addresses too (made anew for each container)."""
        import pandas as pd

        rows = [{"NAME": c.get("Name", ""), "IPv4 ADDRESS": (c.get("IPv4Address") or "").split("/")[0]}
                for c in (self.get("Containers") or {}).values()]
        return pd.DataFrame(rows, columns=["NAME", "IPv4 ADDRESS"]).sort_values("NAME", ignore_index=True)

    def __repr__(self) -> str:
        n = len(self.get("Containers") or {})
        return (f"Network(name={self.name!r}, driver={self.get('Driver', '')!r}, subnet={self.subnet!r}, "
                f"containers={n})")


class NetworksMixin(LabBase):
    """`docker network create/ls/inspect/rm` (see :class:`dockerlab.lab.Lab`)."""

    def network_create(self, name: str) -> Network:
        """`docker network create NAME`: a bridge network of your own, with Docker's DNS for names.
        Creating one that is already yours again is not an error (a rerun of the cell)."""
        self._need("networks", "A network of your own (docker network create)", state="nothing was done")
        if not isinstance(name, str) or not _NETWORK_NAME.match(name):
            raise E.InvalidReference(f"Invalid network name {name!r}"[:120], value=repr(name)[:80],
                                     hint="letters, digits, '_', '.' and '-', for example 'nb14-net'")
        real = self._gate.new_name(name, say=self._say)
        self._twin(f"docker network create {real}")
        try:
            return Network(self._gate.inspect_network(self._gate.network_mine(real)))
        except E.NetworkNotFound:
            pass
        self._gate.create_network(real, session=self.session, lesson=self.lesson)
        return Network(self._gate.inspect_network(real))

    def networks(self, *, scope: str = "engine"):
        """`docker network ls`: the engine's networks (``scope="mine"``: only the ones the kit made for you)."""
        self._need("networks", "Listing networks (docker network ls)", state="nothing was done")
        cli = self._twin("docker network ls" + (f" {self._scope_twin(scope)}" if scope != "engine" else ""))
        df = networks_frame(self._gate.networks(filters=self._filters(scope) or None))
        df.attrs["cli"] = cli
        return df

    def network_inspect(self, name: str) -> Network:
        """`docker network inspect NAME`: its subnet, and each container's address on it (``.containers()``)."""
        self._need("networks", "Inspecting a network (docker network inspect)", state="nothing was done")
        self._twin(f"docker network inspect {name}")
        return Network(self._gate.inspect_network(name))

    def network_remove(self, name: str, *, confirm: bool = False) -> str:
        """`docker network rm NAME`: refused while containers are attached (remove them first)."""
        self._need("networks", "Removing a network (docker network rm)", state="nothing was done")
        return self._gate.remove_network(name, confirm=confirm,
                                         on_allowed=lambda: self._twin(f"docker network rm {name}"))

    def remove_my_networks(self, *, scope: str = "session") -> list[str]:
        """Remove the kit's networks of this session (or all of yours: ``scope="mine"``) that no container uses."""
        removed = []
        for n in sorted(self._gate.networks(filters=self._filters(scope)), key=lambda n: n.get("Name", "")):
            try:
                removed.append(self._gate.remove_network(n["Name"]))
            except (E.NetworkInUse, E.NetworkNotFound):
                continue
        return removed
