"""One error tree for the kit, like docker-py's ``docker/errors.py``.

Every error a learner can meet is a :class:`DockerLabError`. Its message reads
like testcontainers' messages: what happened, the current state, then a hint.
Attributes carry the facts, so code (and widgets) need not parse text.
Errors are translated once, at the engine boundary (``dockerlab.engine``).
"""
from __future__ import annotations


class DockerLabError(Exception):
    """Base of every dockerlab error.

    ``what`` says what happened, ``state`` the situation now, ``hint`` what to
    do. ``str(err)`` joins them; a learner never needs the traceback.
    """

    def __init__(self, what: str, *, state: str = "", hint: str = ""):
        self.what = what
        self.state = state
        self.hint = hint
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def refine(self, *, what: str | None = None, state: str | None = None, hint: str | None = None,
               **facts) -> "DockerLabError":
        """Add what is known on the way up (the state now, a better hint, a fact attribute), and give
        the error back to be raised: the one way an error changes after it is made."""
        for key, value in facts.items():
            if not hasattr(self, key):
                raise AttributeError(f"{type(self).__name__} has no fact {key!r}")
            setattr(self, key, value)
        if what is not None:
            self.what = what
        if state is not None:
            self.state = state
        if hint is not None:
            self.hint = hint
        self.args = (self.message,)
        return self

    @property
    def message(self) -> str:
        parts = [self.what.rstrip(".") + "."]
        if self.state:
            parts.append(_sentence(self.state.rstrip(".")) + ".")
        if self.hint:
            parts.append("Hint: " + self.hint.rstrip(".") + ".")
        # a multi-line state (a list of what was tried) keeps the hint on a line of its own
        return ("\n" if "\n" in self.state else " ").join(parts)

    def _repr_html_(self) -> str:  # a friendly box when an error object is displayed
        from html import escape

        rows = [f"<b>{escape(type(self).__name__)}</b>: {escape(self.what)}"]
        if self.state:
            rows.append(escape(self.state))
        if self.hint:
            rows.append(f"<i>Hint:</i> {escape(self.hint)}")
        return '<div class="dockerlab-error">' + "<br>".join(rows) + "</div>"


def _sentence(text: str) -> str:
    """``text`` as a sentence: a plain first word gets its capital; a name or a command keeps its case
    (``nb05-alpine was removed``, ``docker ps ...``, ``web_1 ...``)."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower() and first not in ("docker", "lab"):
        return text[:1].upper() + text[1:]
    return text


class EngineUnavailable(DockerLabError):
    """No Docker engine answered. ``attempts`` lists (endpoint, source, reason)."""

    def __init__(self, what: str, *, attempts=(), reason: str = "", state: str = "", hint: str = ""):
        self.attempts = list(attempts)
        self.reason = reason
        super().__init__(what, state=state, hint=hint)


class EngineLost(EngineUnavailable):
    """The engine answered before and stopped answering mid-session."""


class BadDockerHost(EngineUnavailable):
    """DOCKER_HOST (or a context's endpoint) is not a valid address."""


class EnginePermissionDenied(EngineUnavailable):
    """The engine's socket exists but this user may not open it."""


class NotAvailableOnEngine(DockerLabError):
    """The engine in use cannot do this (for example udocker has no stats)."""

    def __init__(self, what: str, *, feature: str = "", engine: str = "", state: str = "", hint: str = ""):
        self.feature = feature
        self.engine = engine
        super().__init__(what, state=state, hint=hint)


def not_available(feature: str, what: str, *, engine: str, why: str = "", state: str = "",
                  hint: str = "") -> NotAvailableOnEngine:
    """The one maker of "not available on this engine": ``what`` is the subject ("docker events"),
    ``why`` the engine's reason (its ``LIMITATIONS``)."""
    return NotAvailableOnEngine(
        f"{what} is not available on this engine" + (f", because {why}" if why else f" ({engine})"),
        feature=feature, engine=engine, state=state or "nothing was changed",
        hint=hint or "this lesson step needs a Docker Engine (lab.can(...) says what this one can do)")


def needs_buildkit(what: str, *, engine: str = "", hint: str = "") -> NotAvailableOnEngine:
    """What the classic builder cannot do (``what``: "A build secret (docker build --secret)"): BuildKit's own."""
    return not_available(
        "build-secrets", what, engine=engine,
        why="this engine builds with the classic builder (Docker 20.10's, or where the docker CLI has no buildx), "
            "and build secrets (RUN --mount=type=secret) need BuildKit",
        state="nothing was built",
        hint=hint or "give the secret to the container when it runs instead, never to the build: a runtime variable "
                     "(lab.run(image, env={'TOKEN': ...})) or the file mounted read-only "
                     "(volumes=['./token.txt:/run/secrets/token:ro'])")


class NotFound(DockerLabError):
    """Something named does not exist on the engine."""


class ImageNotFound(NotFound):
    def __init__(self, what: str, *, image: str = "", suggestions=(), state: str = "", hint: str = ""):
        self.image = image
        self.suggestions = list(suggestions)
        super().__init__(what, state=state, hint=hint)


class ContainerNotFound(NotFound):
    def __init__(self, what: str, *, container: str = "", state: str = "", hint: str = ""):
        self.container = container
        super().__init__(what, state=state, hint=hint)


class NetworkNotFound(NotFound):
    def __init__(self, what: str, *, network: str = "", state: str = "", hint: str = ""):
        self.network = network
        super().__init__(what, state=state, hint=hint)


class NameConflict(DockerLabError):
    def __init__(self, what: str, *, name: str = "", existing_id: str = "", state: str = "", hint: str = ""):
        self.name = name
        self.existing_id = existing_id
        super().__init__(what, state=state, hint=hint)


class InvalidReference(DockerLabError, ValueError):
    """An image reference, name, command or limit is malformed (checked before any call)."""

    def __init__(self, what: str, *, value: str = "", state: str = "", hint: str = ""):
        self.value = value
        super().__init__(what, state=state, hint=hint)


class ExecutableNotFound(DockerLabError):
    """The command's program does not exist in the image (``/bin/bash`` in alpine)."""

    def __init__(self, what: str, *, image: str = "", executable: str = "", state: str = "", hint: str = ""):
        self.image = image
        self.executable = executable
        super().__init__(what, state=state, hint=hint)


class RegistryError(DockerLabError):
    """The registry could not be reached or refused the pull."""


class RegistryUnreachable(RegistryError):
    pass


class RateLimited(RegistryError):
    """Docker Hub's ``toomanyrequests``."""


class PermissionDenied(DockerLabError):
    """The engine or the kit refused an action for lack of permission."""


class NotOwned(PermissionDenied):
    """The container belongs to someone else, or was not created by the kit."""

    def __init__(self, what: str, *, container: str = "", owner: str = "", state: str = "", hint: str = ""):
        self.container = container
        self.owner = owner
        super().__init__(what, state=state, hint=hint)


class GuardRefused(PermissionDenied):
    """A teacher's guard (limits, no --privileged, ...) refused the request."""

    def __init__(self, what: str, *, guard: str = "", state: str = "", hint: str = ""):
        self.guard = guard
        super().__init__(what, state=state, hint=hint)


class ConfirmationRequired(DockerLabError):
    """A destructive action beyond the kit's own containers needs ``confirm=True``."""


class OperationTimedOut(DockerLabError):
    """The engine answered, but an operation (waiting for a container) took longer than allowed."""

    def __init__(self, what: str, *, seconds: float | None = None, container: str = "", state: str = "", hint: str = ""):
        self.seconds = seconds
        self.container = container
        super().__init__(what, state=state, hint=hint)


class ContainerStateError(DockerLabError):
    """The container is not in a state that allows the action (exec in a stopped container)."""

    def __init__(self, what: str, *, container: str = "", status: str = "", state: str = "", hint: str = ""):
        self.container = container
        self.status = status
        super().__init__(what, state=state, hint=hint)


class EngineError(DockerLabError):
    """Any other error the engine reported; ``explanation`` is the engine's own words."""

    def __init__(self, what: str, *, explanation: str = "", status_code: int | None = None, state: str = "", hint: str = ""):
        self.explanation = explanation
        self.status_code = status_code
        super().__init__(what, state=state, hint=hint)


class VolumeNotFound(NotFound):
    """No volume of that name (``docker volume inspect NAME``: no such volume)."""

    def __init__(self, what: str, *, volume: str = "", state: str = "", hint: str = ""):
        self.volume = volume
        super().__init__(what, state=state, hint=hint)


class VolumeInUse(DockerLabError):
    """A volume that a container still mounts cannot be removed."""

    def __init__(self, what: str, *, volume: str = "", state: str = "", hint: str = ""):
        self.volume = volume
        super().__init__(what, state=state, hint=hint)


class NetworkInUse(DockerLabError):
    """A network that containers are still attached to cannot be removed."""

    def __init__(self, what: str, *, network: str = "", state: str = "", hint: str = ""):
        self.network = network
        super().__init__(what, state=state, hint=hint)


class ComposeFailed(DockerLabError):
    """`docker compose` did not do what it was asked; ``output`` is what it printed."""

    def __init__(self, what: str, *, output: str = "", state: str = "", hint: str = ""):
        self.output = output
        super().__init__(what, state=state, hint=hint)


class BuildFailed(DockerLabError):
    """`docker build` stopped at a step: ``step`` is that step's line, ``output`` what the build printed."""

    def __init__(self, what: str, *, step: str = "", output: str = "", state: str = "", hint: str = ""):
        self.step = step
        self.output = output
        super().__init__(what, state=state, hint=hint)


class PortInUse(DockerLabError):
    """The host port asked for (``-p 8080:80``) is already taken."""

    def __init__(self, what: str, *, port: str = "", state: str = "", hint: str = ""):
        self.port = port
        super().__init__(what, state=state, hint=hint)


class Interrupted(DockerLabError, KeyboardInterrupt):
    """Kernel > Interrupt (Ctrl-C) while the kit waited; ``container`` may still be running.

    Also a ``KeyboardInterrupt``, so code that stops on Ctrl-C still stops; shown as the
    kit's message in a notebook (no traceback through the HTTP client)."""

    def __init__(self, what: str, *, container: str = "", state: str = "", hint: str = ""):
        self.container = container
        super().__init__(what, state=state, hint=hint)


class CommandLineError(DockerLabError, ValueError):
    """A command line (a learner's answer) that a shell or the docker CLI would not run.

    ``said`` holds the words the shell or the CLI itself prints, e.g. ``unknown shorthand flag: 'x' in -x``.
    """

    def __init__(self, said: str, *, what: str = "", state: str = "", hint: str = ""):
        self.said = said
        super().__init__(what or said, state=state, hint=hint)


class ShellSyntaxError(CommandLineError):
    """The shell cannot split the line into commands (an open quote, a `$(` never closed)."""


class CLIRefused(CommandLineError):
    """The docker CLI refuses the command before it asks the engine anything. ``command``: e.g. ``docker ps``."""

    def __init__(self, said: str, *, command: str = "docker", what: str = "", state: str = "", hint: str = ""):
        self.command = command
        super().__init__(said, what=what, state=state, hint=hint)
