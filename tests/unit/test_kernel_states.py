"""The pure part of `$kernels/<kernel_id>`: why a kernel died, and state transitions."""

from __future__ import annotations

import pytest

from jupyter_push.reserved import client_may_publish
from jupyter_push.server.kernel_states import KernelRecord, death_reason, state_after_status


@pytest.mark.parametrize("code, reason", [
    (-9, "killed (SIGKILL), likely out of memory"),
    (137, "killed (SIGKILL), likely out of memory"),
    (-15, "killed by SIGTERM"),
    (143, "killed by SIGTERM"),
    (1, "the kernel exited with code 1"),
    (0, "the kernel exited (code 0)"),
    (None, "the kernel process ended"),
])
def test_death_reason_names_the_signal_and_suspects_memory_for_sigkill(code, reason):
    assert death_reason(code) == reason


@pytest.mark.parametrize("current, status, parent, after", [
    ("starting", "idle", "kernel_info_request", "idle"),
    ("idle", "busy", "execute_request", "busy"),
    ("busy", "idle", "execute_request", "idle"),
    ("idle", "busy", "comm_msg", "idle"),
    ("idle", "starting", None, "idle"),
    ("restarting", "idle", None, "idle"),
])
def test_status_messages_move_the_state_as_jupyter_server_reads_them(current, status, parent,
                                                                      after):
    assert state_after_status(current, status, parent) == after


def test_since_changes_only_with_the_state():
    record = KernelRecord(since=1.0)
    record.move("starting", now=2.0, execution_count=3)
    assert record.since == 1.0 and record.execution_count == 3
    record.move("idle", now=4.0)
    assert record.since == 4.0 and record.to_data()["state"] == "idle"


@pytest.mark.parametrize("channel, allowed", [
    ("progress", True), ("$notify", True), ("$alerts/train/loss", True), ("$watch/x", True),
    ("$kernels/abc", False), ("$system/cpu", False), ("$notify/x", False),
])
def test_clients_publish_only_notifications_alerts_and_rules_among_reserved_channels(
        channel, allowed):
    assert client_may_publish(channel) is allowed
