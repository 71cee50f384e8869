"""Event ids: `<epoch>-<seq>`, ordered within one server run, foreign across runs."""

from __future__ import annotations

import time


class IdSequence:
    """Ids of the form `<epoch>-<seq>`: an epoch tag per server run and a zero-padded counter.

    Ids sort in publish order within an epoch; an id from another epoch (another server
    run) is recognisably foreign, which is how a resume from before a restart becomes a gap.
    """

    __slots__ = ("_prefix", "epoch", "next_seq")

    def __init__(self, epoch: str | None = None, start: int = 1):
        self.epoch = epoch or _base36(int(time.time() * 1000) % 36**5).rjust(5, "0")
        self._prefix = self.epoch + "-"
        self.next_seq = start

    def take(self) -> tuple[str, int]:
        seq = self.next_seq
        self.next_seq = seq + 1
        return self._prefix + str(seq).zfill(12), seq  # (half the time of an f-string spec)

    def parse(self, event_id: str) -> int | None:
        """The sequence number of an id of this epoch, or None if foreign or malformed."""
        epoch, sep, seq = event_id.rpartition("-")
        if not sep or epoch != self.epoch or not seq.isdigit():
            return None
        return int(seq)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out
