"""What `$kernels/<kernel_id>` says about a kernel, and why a dead kernel died (pure)."""

from __future__ import annotations

import signal
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

State = Literal["starting", "idle", "busy", "restarting", "dead"]

OOM_HINT = "likely out of memory"


@dataclass
class KernelRecord:
    """The retained value of one kernel's channel."""

    state: State = "starting"
    notebook: str | None = None
    since: float = field(default_factory=time.time)
    exit_code: int | None = None
    reason: str | None = None
    restarts: int = 0
    execution_count: int | None = None

    def move(self, state: State, *, now: float | None = None, **fields: Any) -> None:
        """Enter `state` (`since` changes only when the state does); set other fields."""
        if state != self.state:
            self.state = state
            self.since = time.time() if now is None else now
        for name, value in fields.items():
            setattr(self, name, value)

    def to_data(self) -> dict[str, Any]:
        return asdict(self)


def death_reason(exit_code: int | None) -> str:
    """Why a kernel process ended, from its exit status as Popen or a shell reports it
    (-9 or 137 for SIGKILL, which is what the kernel's OOM killer sends)."""
    if exit_code is None:
        return "the kernel process ended"
    signum = -exit_code if exit_code < 0 else exit_code - 128 if exit_code > 128 else None
    if signum == signal.SIGKILL:
        return f"killed (SIGKILL), {OOM_HINT}"
    if signum is not None:
        try:
            return f"killed by {signal.Signals(signum).name}"
        except ValueError:
            pass
    if exit_code == 0:
        return "the kernel exited (code 0)"
    return f"the kernel exited with code {exit_code}"


def state_after_status(current: State, execution_state: str, parent_type: str | None) -> State:
    """The state after an IOPub `status` message, as jupyter_server reads it: busy and idle
    count for requests that run code; a kernel leaves `starting` on any other status (its own
    `starting` status, sent once as it boots, may come after it already answered)."""
    if execution_state == "starting":
        return current
    if parent_type in ("execute_request", "inspect_request", "complete_request"):
        return "busy" if execution_state == "busy" else "idle"
    if current in ("starting", "restarting"):
        return "idle"
    return current
