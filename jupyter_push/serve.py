"""`jupyter push serve`: jupyter_push as a small server of its own.

For scripts, CI jobs, editors whose kernels start no Jupyter server, and machines that only
publish. It is a Jupyter server that loads this extension and nothing else and exposes none of
the services that run code or touch files (no kernels, terminals, contents, files): the same
`push/` routes, tokens, runtime file and discovery, the same authentication (the Jupyter token
printed at start, or a password/identity provider configured as for any Jupyter server), and
the live viewer at its root.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.serverapp import ServerApp
from jupyter_server.serverapp import aliases as server_aliases
from traitlets import Bool, Dict, Int, Unicode, default

from .app import PushApp

EXTENSION = "jupyter_push"


class PushServer(ServerApp):
    """A Jupyter server with jupyter_push alone (configure PushApp as usual)."""

    name = "jupyter-push-serve"
    description = "Serve jupyter_push alone: live events over SSE and WebSocket, no kernels."

    # Only what a push server needs: who the user is (`api/me`, login), CSP reports, and a
    # clean shutdown. Nothing that executes code or reads files.
    default_services = ("api", "auth", "security", "shutdown")  # type: ignore[assignment]

    classes = [*ServerApp.classes, PushApp]
    aliases = Dict(
        {
            **server_aliases,
            "broker-url": "PushApp.broker_url",
            "history-size": "PushApp.history_size",
        }
    )

    port = Int(8765, config=True, help="Port of the push server.")
    open_browser = Bool(False, config=True, help="Open the viewer in a browser at start.")
    allow_unauthenticated_access = Bool(
        False, config=True, help="Every route needs a credential (as a strict Jupyter server)."
    )
    # No kernel runs here, so running as root risks nothing that Jupyter's rule guards.
    allow_root = Bool(True, config=True, help="Allow running as root (no kernels run here).")
    default_url = Unicode(
        "/push/events", config=True, help="Where `/` leads: the live viewer of every channel."
    )

    @default("jpserver_extensions")
    def _default_extensions(self) -> dict[str, bool]:
        return {EXTENSION: True}

    def find_server_extensions(self) -> None:
        """Load jupyter_push only, whatever else is installed and enabled for Jupyter."""
        self.jpserver_extensions = {EXTENSION: True}

    def init_configurables(self) -> None:
        super().init_configurables()
        self.contents_manager.files_handler_class = None  # no /files/ route either

    def init_server_extensions(self) -> None:
        self.jpserver_extensions = {EXTENSION: True}
        super().init_server_extensions()


def main(argv: list[str] | None = None, **kwargs: Any) -> None:
    """Run the push server until interrupted (`jupyter push serve --help-all` lists options)."""
    PushServer.launch_instance(argv=argv, **kwargs)
