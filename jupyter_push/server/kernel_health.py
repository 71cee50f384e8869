"""Kernel lifecycle as channels: `$kernels/<kernel_id>`, published by the server itself.

Where the states come from, cheapest first:
- jupyter_server's `kernel_actions` events (start, restart, shutdown) and the restarter's
  callbacks ("restart", "dead"). They are rare and always on, so each kernel's retained value
  says whether it lives even when nobody listened at the time.
- Only while someone subscribes to a kernel's channel: that kernel's IOPub `status` and
  `execute_input` messages (busy, idle, execution count), and a poll of its process every
  `poll_interval` (a SIGKILL shows as dead long before the restarter's heartbeat notices),
  every `idle_poll_interval` while the kernel is idle (rounded to whole poll intervals).
With no subscriber there is no IOPub socket and no timer: nothing is spent per message.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Callable

from .._json import dumps
from ..reserved import KERNELS, kernel_channel
from .hub import Hub
from .kernel_states import KernelRecord, State, death_reason, state_after_status

KERNEL_ACTIONS = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
SESSION_WAIT = 5.0  # seconds to wait for a new kernel's session (its notebook path)
NUDGE_AFTER = 2.0  # seconds a running kernel may stay "starting" before it is asked for its info
# JupyterLab starts a notebook's session under a provisional path, `<dir>/<uuid4>`, and renames
# it to the notebook's path as soon as the session exists
_PROVISIONAL = re.compile(r"(?:^|/)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def provisional(path: str | None) -> bool:
    """Whether a session path is JupyterLab's placeholder rather than the notebook's."""
    return path is not None and _PROVISIONAL.search(path) is not None


class KernelHealth:
    def __init__(self, hub: Hub, kernel_manager: Any, session_manager: Any = None,
                 event_logger: Any = None, *, poll_interval: float = 0.25,
                 idle_poll_interval: float = 1.0, log: logging.Logger | None = None):
        self.hub = hub
        self.kernels = kernel_manager
        self.sessions = session_manager
        self.event_logger = event_logger
        self.poll_interval = poll_interval
        # an idle kernel is polled every this many rounds (a kernel that runs code is the
        # likely victim of the out-of-memory killer, and it is polled every round)
        self.idle_every = max(1, round(idle_poll_interval / poll_interval)) \
            if poll_interval > 0 else 1
        self.log = log or logging.getLogger("jupyter_push")
        self.records: dict[str, KernelRecord] = {}
        self._sent: dict[str, dict[str, Any]] = {}
        # kernels the restarter is restarting: their restart is counted once, as they move
        # from dead to restarting, by whichever comes first of _died_then_restarting and the
        # `restart` action jupyter_server reports for it
        self._restarted_by_restarter: set[str] = set()
        self._callbacks: dict[str, list[tuple[Callable[[], None], str]]] = {}
        self._iopub: dict[str, Any] = {}
        self._watching: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._order = asyncio.Lock()
        self._nudged: dict[str, float] = {}  # kernel id -> when it was last nudged (monotonic)

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self.event_logger is not None:
            self.event_logger.add_listener(schema_id=KERNEL_ACTIONS, listener=self._on_action)
        self.hub.reserved_listeners.append(self.wake)
        for kernel_id in self.kernels.list_kernel_ids():
            record = self._adopt(kernel_id)
            state = getattr(self.kernels.get_kernel(kernel_id), "execution_state", None)
            if state in ("idle", "busy", "starting"):
                record.move(state)
            await self.publish(kernel_id)
        self.wake()

    async def stop(self) -> None:
        if self.event_logger is not None:
            self.event_logger.remove_listener(schema_id=KERNEL_ACTIONS, listener=self._on_action)
        if self.wake in self.hub.reserved_listeners:
            self.hub.reserved_listeners.remove(self.wake)
        if self._watching is not None:
            self._watching.cancel()
        for task in list(self._tasks):
            task.cancel()
        for kernel_id in list(self._iopub):
            self._unwatch_iopub(kernel_id)
        for kernel_id in list(self._callbacks):
            self._forget_callbacks(kernel_id)

    def wake(self) -> None:
        """Someone subscribed to a reserved channel: watch the kernels if they want it."""
        idle = self._watching is None or self._watching.done()
        if idle and any(self._wanted(k) for k in self.records):
            self._watching = asyncio.ensure_future(self._watch())

    # ------------------------------------------------------------------ publishing

    async def publish(self, kernel_id: str) -> None:
        """Publish the kernel's record if it changed since it was last published."""
        record = self.records.get(kernel_id)
        if record is None:
            return
        if record.notebook is None or provisional(record.notebook):
            record.notebook = await self._notebook_of(kernel_id)
        data = record.to_data()
        if self._sent.get(kernel_id) == data:
            return
        self._sent[kernel_id] = data
        source = dumps({"kernel": kernel_id, "path": record.notebook}
                       if record.notebook else {"kernel": kernel_id})
        try:
            async with self._order:  # one kernel's states reach the broker in order
                await self.hub.publish([self.hub.draft(kernel_channel(kernel_id), data, source,
                                                       internal=True)])
        except Exception:  # a shared broker down: the next change publishes again
            self._sent.pop(kernel_id, None)
            self.log.warning("jupyter_push: could not publish %s", kernel_channel(kernel_id),
                             exc_info=True)

    def _publish_soon(self, kernel_id: str) -> None:
        self._spawn(self.publish(kernel_id))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _notebook_of(self, kernel_id: str) -> str | None:
        if self.sessions is None:
            return None
        try:
            session = await self.sessions.get_session(kernel_id=kernel_id)
        except Exception:  # no session (a kernel started through api/kernels) → 404
            return None
        path = (session or {}).get("path") or (session or {}).get("notebook", {}).get("path")
        return str(path) if path else None

    async def _await_session(self, kernel_id: str) -> None:
        """A kernel's session is saved after its kernel started: fill in the notebook then
        (and again once JupyterLab renamed its provisional path to the notebook's)."""
        deadline = time.monotonic() + SESSION_WAIT
        while time.monotonic() < deadline and kernel_id in self.records:
            record = self.records[kernel_id]
            if record.notebook is None or provisional(record.notebook):
                record.notebook = await self._notebook_of(kernel_id)
            if record.notebook is not None:
                await self.publish(kernel_id)
                if not provisional(record.notebook):
                    return
            await asyncio.sleep(0.1)

    # ------------------------------------------------------------------ jupyter_server hooks

    def _adopt(self, kernel_id: str) -> KernelRecord:
        record = self.records.get(kernel_id)
        if record is None:
            record = self.records[kernel_id] = KernelRecord()
        if kernel_id not in self._callbacks:
            callbacks = [(lambda: self._on_restart(kernel_id), "restart"),
                         (lambda: self._on_dead(kernel_id), "dead")]
            try:
                for callback, event in callbacks:
                    self.kernels.add_restart_callback(kernel_id, callback, event)
                self._callbacks[kernel_id] = callbacks
            except KeyError:
                pass
        return record

    def _forget_callbacks(self, kernel_id: str) -> None:
        for callback, event in self._callbacks.pop(kernel_id, ()):
            try:
                self.kernels.remove_restart_callback(kernel_id, callback, event)
            except Exception:  # the kernel is gone already (jupyter_server raises a 404)
                pass

    async def _on_action(self, logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        """jupyter_server's `kernel_actions` listener (called with these keyword names)."""
        try:
            await self._action(data)
        except Exception:  # never let a listener break the kernel action it hears about
            self.log.warning("jupyter_push: kernel action %r not followed", data, exc_info=True)

    async def _action(self, data: dict[str, Any]) -> None:
        kernel_id = data.get("kernel_id")
        action = data.get("action")
        if not kernel_id or data.get("status") != "success":
            return
        if action == "start":
            record = self._adopt(kernel_id)
            record.move("starting")
            await self.publish(kernel_id)
            self._spawn(self._await_session(kernel_id))
            self.wake()
        elif action == "restart":
            record = self._adopt(kernel_id)
            if kernel_id in self._restarted_by_restarter:
                self._restarted_by_restarter.discard(kernel_id)
                if record.state == "dead":  # heard before "restarting" went out: in order
                    await self._restarting(kernel_id, record)
            else:  # a restart the user asked for
                record.restarts += 1
            record.move("starting", exit_code=None, reason=None, execution_count=None)
            self._unwatch_iopub(kernel_id)  # the restarted kernel may listen on new ports
            await self.publish(kernel_id)
            self.wake()
        elif action == "shutdown":
            record = self.records.get(kernel_id) or self._adopt(kernel_id)
            record.move("dead", reason="shut down")
            self._forget_callbacks(kernel_id)
            self._unwatch_iopub(kernel_id)
            await self.publish(kernel_id)
            self.records.pop(kernel_id, None)
            self._sent.pop(kernel_id, None)
            self._nudged.pop(kernel_id, None)
            self._restarted_by_restarter.discard(kernel_id)

    def _on_restart(self, kernel_id: str) -> None:
        """The restarter found the kernel dead and is about to start it again."""
        record = self._adopt(kernel_id)
        if record.state != "dead":
            code = self._exit_code(kernel_id)
            record.move("dead", exit_code=code, reason=death_reason(code))
        self._restarted_by_restarter.add(kernel_id)
        self._unwatch_iopub(kernel_id)
        self._spawn(self._died_then_restarting(kernel_id))

    async def _died_then_restarting(self, kernel_id: str) -> None:
        await self.publish(kernel_id)  # the death, with its reason, is an event of its own
        record = self.records.get(kernel_id)
        if record is not None and record.state == "dead":  # not yet heard to start again
            await self._restarting(kernel_id, record)

    async def _restarting(self, kernel_id: str, record: KernelRecord) -> None:
        record.restarts += 1
        record.move("restarting")
        await self.publish(kernel_id)

    def _on_dead(self, kernel_id: str) -> None:
        """The restarter gave up: the kernel stays dead."""
        record = self._adopt(kernel_id)
        code = record.exit_code if record.exit_code is not None else self._exit_code(kernel_id)
        record.move("dead", exit_code=code,
                    reason=f"{death_reason(code)}; the restarter gave up")
        self._forget_callbacks(kernel_id)
        self._unwatch_iopub(kernel_id)
        self._publish_soon(kernel_id)

    def _exit_code(self, kernel_id: str) -> int | None:
        try:
            process = getattr(self.kernels.get_kernel(kernel_id).provisioner, "process", None)
        except KeyError:
            return None
        return process.poll() if process is not None else None

    # ------------------------------------------------------------------ while subscribed

    def _wanted(self, kernel_id: str) -> bool:
        return self.hub.has_subscribers(kernel_channel(kernel_id))

    async def _watch(self) -> None:
        """While anyone subscribes: follow IOPub of the kernels they watch; poll liveness."""
        rounds = 0
        try:
            while True:
                wanted = [k for k in list(self.records) if self._wanted(k)]
                if not wanted:
                    break
                for kernel_id in list(self._iopub):
                    if kernel_id not in wanted:
                        self._unwatch_iopub(kernel_id)
                idle_round = rounds % self.idle_every == 0
                for kernel_id in wanted:
                    if kernel_id not in self._iopub:
                        self._watch_iopub(kernel_id)
                    record = self.records.get(kernel_id)
                    if record is not None and record.state in ("idle", "dead") \
                            and not idle_round:
                        continue  # (a dead one is not checked at all: see _check)
                    await self._check(kernel_id)
                rounds += 1
                await asyncio.sleep(self.poll_interval)
        finally:
            for kernel_id in list(self._iopub):
                self._unwatch_iopub(kernel_id)

    async def _check(self, kernel_id: str) -> None:
        """Is the process alive? And a kernel that went idle before our IOPub socket joined
        (a late SUB socket misses it) is taken to be what jupyter_server saw."""
        record = self.records.get(kernel_id)
        if record is None or record.state == "dead":
            return
        code = self._exit_code(kernel_id)
        if record.state == "restarting":
            # Our new IOPub socket may join after the restarted kernel said it is idle (ZMQ's
            # late joiner): once its process runs, take what jupyter_server saw.
            if code is None:  # the new process runs: the old one's exit is history
                await self._adopt_execution_state(kernel_id, record, exit_code=None, reason=None)
            return
        if code is not None:
            record.move("dead", exit_code=code, reason=death_reason(code))
            await self.publish(kernel_id)
        elif record.state == "starting":
            await self._adopt_execution_state(kernel_id, record)
            if record.state == "starting" and time.time() - record.since >= NUDGE_AFTER:
                self._nudge(kernel_id)

    def _nudge(self, kernel_id: str) -> None:
        """Ask a kernel that runs but was never heard to be up for its info, as jupyter_server
        nudges a kernel when a page connects. A kernel says it is idle only around a request:
        after the restarter brings one back with nobody's page connected, and our IOPub
        socket joined too late for its welcome, nothing else would ever ask it anything.
        Its answer comes with `busy` and `idle` on IOPub (for us and for jupyter_server)."""
        now = time.monotonic()
        if now - self._nudged.get(kernel_id, -NUDGE_AFTER) < NUDGE_AFTER:
            return
        self._nudged[kernel_id] = now
        try:
            kernel = self.kernels.get_kernel(kernel_id)
            shell = kernel.connect_shell()
            kernel.session.send(shell, "kernel_info_request")
        except Exception:
            self.log.debug("jupyter_push: could not nudge kernel %s", kernel_id, exc_info=True)
            return
        shell.on_recv(lambda _reply: shell.close())
        asyncio.get_running_loop().call_later(NUDGE_AFTER, shell.close)  # no answer: give up

    async def _adopt_execution_state(self, kernel_id: str, record: KernelRecord,
                                     **fields: Any) -> None:
        """Take jupyter_server's view of a kernel (idle or busy) when ours is behind it."""
        try:
            seen = getattr(self.kernels.get_kernel(kernel_id), "execution_state", None)
        except KeyError:
            return
        if seen in ("idle", "busy"):
            record.move(seen, **fields)
            await self.publish(kernel_id)

    def _watch_iopub(self, kernel_id: str) -> None:
        try:
            kernel = self.kernels.get_kernel(kernel_id)
            stream = kernel.connect_iopub()
        except Exception:
            return
        session = kernel.session
        record = self.records[kernel_id]
        state = getattr(kernel, "execution_state", None)
        if record.state in ("starting", "idle", "busy") and state in ("idle", "busy"):
            record.move(state)  # jupyter_server's view until the next status message
            self._publish_soon(kernel_id)

        def on_message(parts: list[bytes]) -> None:
            try:
                _, message = session.feed_identities(parts)
                msg = session.deserialize(message, content=False)
                kind = msg["header"]["msg_type"]
                if kind not in ("status", "execute_input", "iopub_welcome"):
                    return
                content = session.unpack(msg["content"])
            except Exception:
                return
            record = self.records.get(kernel_id)
            if record is None or record.state == "dead":
                return
            if kind == "iopub_welcome":  # the kernel answers on IOPub: it is up
                if record.state != "starting":
                    return
                record.move("idle")
            elif kind == "execute_input":
                record.execution_count = content.get("execution_count")
            else:
                parent = (msg.get("parent_header") or {}).get("msg_type")
                new: State = state_after_status(record.state, content.get("execution_state"),
                                                parent)
                record.move(new)
            self._publish_soon(kernel_id)

        stream.on_recv(on_message)
        self._iopub[kernel_id] = stream

    def _unwatch_iopub(self, kernel_id: str) -> None:
        stream = self._iopub.pop(kernel_id, None)
        if stream is not None:
            try:
                stream.close()
            except Exception:
                pass


__all__ = ["KERNELS", "KernelHealth"]
