"""The launcher: `docker run` with a form, showing the command line as you fill it in."""
from __future__ import annotations

import re
from html import escape, unescape

import ipywidgets as W
import traitlets

from .. import twin
from ..errors import DockerLabError
from .. import notices
from ..a11y import focus_style
from ._common import attempt, clear, cli_html, error_html, new_history, note_html, ok_html, pre_html, quiet

_TAGS = re.compile(r"<[^>]+>")


def plain(html: str) -> str:
    """The text a learner reads in an HTML child (tags dropped)."""
    html = re.sub(r"<br\s*/?>|</div>|</pre>|</code>(?=<div)", "\n", html or "")
    return unescape(_TAGS.sub("", html)).strip()


class Launcher(W.VBox):
    """A form for `docker run`: image, name, command, mode, limits, and a Launch button.

    The ``docker run ...`` line is shown live as the fields change; Launch runs
    it through ``lab.run`` and shows the output (foreground) or the new
    container (detached), or the lab's friendly error.
    """

    image = traitlets.Unicode("alpine")
    name = traitlets.Unicode("")
    command = traitlets.Unicode("")
    detach = traitlets.Bool(True)
    memory = traitlets.Unicode("")
    cpus = traitlets.Unicode("")
    pids = traitlets.Unicode("")
    #: Published ports, as -p values separated by spaces ("8080:80"; the kit adds 127.0.0.1).
    ports = traitlets.Unicode("")
    #: The network to join (``--network``): "" for the engine's default bridge, else one of yours.
    network = traitlets.Unicode("")
    #: The ``docker run`` line for the current values ("" while a value is invalid).
    twin = traitlets.Unicode("", read_only=True)
    #: Why the current values cannot run ("" when they can).
    problem = traitlets.Unicode("", read_only=True)
    #: The command the last Launch ran, from ``lab.history``.
    last_command = traitlets.Unicode("", read_only=True)
    #: The name of the last container launched (other widgets may observe it).
    last_container = traitlets.Unicode("", read_only=True)

    _TEXT_FIELDS = ("image", "name", "memory", "cpus", "pids", "ports")

    def __init__(self, lab, *, image: str = "alpine", command: str = "", name: str = "", detach: bool = True,
                 timeout: float = 30, images: list[str] | None = None, network: str = ""):
        super().__init__()
        self.lab = lab
        self._lab = quiet(lab)
        self.timeout = timeout
        notices.listen(self)  # the cleanup cell says when it removed what this form started
        self.result = None  # the last RunResult or Container
        self.error: DockerLabError | None = None
        lay = W.Layout(width="auto")
        style = {"description_width": "7em"}
        small = {"description_width": "6.5em"}
        self._image = W.Combobox(description="image", placeholder="alpine", ensure_option=False, style=style, layout=lay)
        self._name = W.Text(description="--name", placeholder="(optional) e.g. web-1", style=style, layout=lay)
        self._command = W.Text(description="command", placeholder="(optional) e.g. echo hello", style=style, layout=lay)
        # a foreground run holds the kernel until the command ends: the button says for how long at most
        self._mode = W.ToggleButtons(options=[("detached (-d)", True), (f"foreground (waits up to {timeout:g} s)", False)],
                                     value=True, description="mode", style={**style, "button_width": "auto"})
        d = lab.default_limits  # empty fields get the teacher's defaults: the placeholders say which
        said = (twin.size(d.memory) if d.memory else "", f"{d.cpus:g}" if d.cpus else "", str(d.pids or ""))
        self._memory, self._cpus, self._pids = (
            W.Text(description=flag, placeholder=f"default {v}" if v else example, style=small,
                   layout=W.Layout(width="15em"))
            for flag, v, example in zip(("--memory", "--cpus", "--pids-limit"), said, ("e.g. 64m", "e.g. 0.5", "e.g. 100")))
        self._ports = W.Text(description="-p", placeholder="(optional) e.g. 8080:80", style=style, layout=lay)
        # --network: the default bridge, or a network of the learner's own (lab.networks(scope="mine")); shown
        # only where the engine has networks
        self._network = W.Dropdown(options=[("default bridge", "")], value="", description="--network",
                                   style=style, layout=W.Layout(width="auto"))
        self._launch = W.Button(description="Launch", button_style="primary", icon="play", tooltip="docker run")
        self._twin = W.HTML()
        self._result = W.HTML()
        self._out = W.Output()  # anything a lab call prints lands here, not in a random cell
        self._fields = {"image": self._image, "name": self._name, "command": self._command,
                        "memory": self._memory, "cpus": self._cpus, "pids": self._pids, "ports": self._ports}
        for key, box in self._fields.items():
            box.observe(self._on_field, names="value")
        self._mode.observe(self._on_mode, names="value")
        self._network.observe(self._on_network, names="value")
        self._launch.on_click(self._on_launch)
        self.observe(self._on_state, names=list(self._fields) + ["detach", "network"])
        self.children = [
            W.HTML("<b>docker run</b> &mdash; start a container"),
            self._image, self._name, self._command, self._mode, self._ports,
            *([self._network] if self._can_network() else []),
            W.HBox([self._memory, self._cpus, self._pids]),
            W.HBox([self._launch, self._twin]),
            self._result, self._out, focus_style(),
        ]
        self.add_class("dockerlab-widget")
        self.add_class("dockerlab-launcher")
        self.image, self.command, self.name, self.detach = image, command, name, detach
        self.refresh_networks(keep=network)
        self.network = network
        self._sync_children()
        self.update_twin()
        self.refresh_images(images)

    # --- validation of the public state ------------------------------------------
    @traitlets.validate(*_TEXT_FIELDS)
    def _valid_text(self, proposal):
        value = proposal["value"]
        if not isinstance(value, str):
            raise traitlets.TraitError(f"{proposal['trait'].name} must be text, not {type(value).__name__}")
        return value.strip()

    # --- callbacks: only delegate -----------------------------------------------------
    def _on_field(self, change):
        key = next(k for k, box in self._fields.items() if box is change["owner"])
        setattr(self, key, change["new"])

    def _on_mode(self, change):
        self.detach = bool(change["new"])

    def _on_network(self, change):
        self.network = change["new"] or ""

    def _on_state(self, change):
        self._sync_children()
        self.update_twin()

    def _on_launch(self, _button):
        self.launch()

    # --- public, testable ------------------------------------------------------------------
    def _sync_children(self):
        for key, box in self._fields.items():
            if box.value.strip() != getattr(self, key).strip():
                box.value = getattr(self, key)
        if self._mode.value != self.detach:
            self._mode.value = self.detach
        if self.network and self.network not in [v for _, v in self._network.options]:
            self._network.options = [*self._network.options, (self.network, self.network)]
        if self._network.value != self.network:
            self._network.value = self.network

    def args(self) -> dict:
        """The keyword arguments for ``lab.run``, as the form holds them: the Lab parses and checks
        them, once (:meth:`dockerlab.lab.Lab.plan_run`, which the twin above the button shows)."""
        ports = self.ports.split() or None  # "8080:80 8081:81": one -p each
        return {"image": self.image, "command": self.command or None, "name": self.name or None,
                "detach": self.detach, "memory": self.memory or None, "cpus": self.cpus or None,
                "pids": self.pids or None, **({"ports": ports} if ports else {}),
                **({"network": self.network} if self.network else {})}

    def update_twin(self) -> str:
        """Recompute the ``docker run ...`` line (or the reason it cannot run) from the values."""
        try:
            a = self.args()
            plan = self._lab.plan_run(a.pop("image"), a.pop("command"), **a)  # what lab.run will send
        except DockerLabError as e:  # a value the lab would refuse: say why, and keep Launch off
            self.set_trait("twin", "")
            self.set_trait("problem", e.message)
            self._twin.value = "<span>&#9888; " + escape(e.message) + "</span>"  # the theme's text colour
            self._launch.disabled = True
            return ""
        line = plan.twin
        self.set_trait("twin", line)
        self.set_trait("problem", "")
        self._twin.value = cli_html(line)
        self._launch.disabled = False
        return line

    def _can_network(self) -> bool:
        can = getattr(self.lab, "can", None)
        return bool(can and can("networks"))

    def refresh_networks(self, *, keep: str = "") -> list[str]:
        """Offer the learner's own networks (`docker network ls`, theirs) in the --network choice."""
        names = []
        if self._can_network():
            df, err = attempt(None, self._lab.networks, scope="mine")
            names = list(df["NAME"]) if err is None else []
        names += [keep] if keep and keep not in names else []
        self._network.options = [("default bridge", ""), *((n, n) for n in names)]
        return names

    def refresh_images(self, images: list[str] | None = None) -> list[str]:
        """Offer the local images (`docker images`) in the image box."""
        if images is None:
            try:
                df = self._lab.images()
                images = [f"{r}:{t}" if t not in ("latest", "<none>") else r
                          for r, t in zip(df["REPOSITORY"], df["TAG"]) if r != "<none>"]
            except DockerLabError as e:
                self._result.value = error_html(e)
                images = []
        self._image.options = tuple(sorted(dict.fromkeys(images)))
        return list(self._image.options)

    def launch(self):
        """Run the form through ``lab.run``; show and return the result (None on error).

        Never raises: an error (the lab's DockerLabError, or an interrupt) replaces what the
        widget showed before with the kit's message. A foreground run waits ``timeout`` seconds
        at most (the status line says so while it waits); then it says what still runs."""
        self.result, self.error = None, None
        start = len(getattr(self.lab, "history", []))
        clear(self._out)
        self._result.value = ("<i>running&hellip;</i>" if self.detach else
                              f"<i>running in the foreground&hellip; the notebook waits for it to end, "
                              f"{self.timeout:g} s at most</i>")
        try:
            a, err = attempt(None, self.args)
            res = None
            if err is None:
                res, err = attempt(self._out, self._lab.run, a.pop("image"), a.pop("command"),
                                   timeout=self.timeout, **a)
        finally:
            if self._result.value.startswith("<i>running"):  # the status line always ends
                self._result.value = ""
        if err is not None:  # a run that outlasts `timeout` is OperationTimedOut, from the lab
            self.error = err
            self.set_trait("last_command", new_history(self.lab, start))
            self._result.value = (cli_html(self.last_command) if self.last_command else "") + error_html(err)
            return None
        self.set_trait("last_command", new_history(self.lab, start))
        self.result = res
        head = cli_html(self.last_command)
        if hasattr(res, "container"):  # foreground: a RunResult (output, exit code, container)
            c = res.container
            text = repr(res) or "(no output)"
            self._result.value = head + pre_html(text) + ok_html(
                f"{c.name} ran and exited with code {res.exit_code}; it stays listed in `docker ps -a` until removed.")
            self.set_trait("last_container", c.name)
        elif res.state == "running":
            self._result.value = head + ok_html(
                f"Started {res.name} ({res.short_id}) from {res.image}: {res.state}. "
                "See it in `docker ps`; stop it with `docker stop " + res.name + "`.")
        else:  # its command ended at once (no command, or a shell with no input)
            self._result.value = head + ok_html(
                f"Started {res.name} ({res.short_id}) from {res.image}, and it has already {res.state}: its command "
                "ended at once. `docker ps -a` lists it; `docker logs " + res.name + "` shows what it printed.")
        if not hasattr(res, "container"):
            self.set_trait("last_container", res.name)
        return res

    def containers_removed(self, names: set, by: str) -> None:
        """What this form last started was removed (by the cleanup cell, say): the result says so."""
        if self.last_container and self.last_container in names:
            self._result.value += note_html(f"{self.last_container} was removed by {by}: Launch again to start "
                                            "a new one.")

    @property
    def shown(self) -> str:
        """What the widget shows under the form, as plain text."""
        return plain(self._twin.value + "\n" + self._result.value)

    def __repr__(self) -> str:
        return f"Launcher(image={self.image!r})"
