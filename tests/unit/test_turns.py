"""TurnBudget: push work's share of one turn of the event loop."""

import asyncio
import threading

from jupyter_push.server.turns import BUSY_HOLD_SECONDS, TurnBudget


def test_share_counts_from_the_first_look_in_a_turn_and_is_fresh_in_the_next():
    async def main():
        budget = TurnBudget(seconds=0.0, rest=0.0)
        first = budget.spent()  # starts the count
        later = budget.spent()  # nothing is free after a zero share
        await asyncio.sleep(0)  # the next turn of the loop
        fresh = budget.spent()
        return first, later, fresh

    assert asyncio.run(main()) == (False, True, False)


def test_a_generous_share_is_not_spent_by_a_few_looks():
    async def main():
        budget = TurnBudget(seconds=60.0)
        return [budget.spent() for _ in range(100)]

    assert asyncio.run(main()) == [False] * 100


def test_without_a_running_loop_nothing_is_ever_spent():
    budget = TurnBudget(seconds=0.0)
    assert [budget.spent() for _ in range(3)] == [False, False, False]


def test_a_spent_share_is_followed_by_a_rest_with_no_push_work_then_a_fresh_share():
    async def main():
        budget = TurnBudget(seconds=0.0, rest=0.05)
        budget.spent()  # starts the count
        spent = budget.spent()  # past the share: the rest starts now
        await asyncio.sleep(0)  # the next turn, still within the rest
        resting = budget.spent()
        wait = budget.wait()
        await budget.pause()  # sleeps past the rest
        return spent, resting, wait, budget.wait(), budget.spent()

    spent, resting, wait, after, fresh = asyncio.run(main())
    assert spent and resting
    assert 0 < wait <= 0.05
    assert after == 0.0 and fresh is False


def test_a_turn_within_its_share_does_not_rest():
    async def main():
        budget = TurnBudget(seconds=60.0, rest=60.0)
        budget.spent()
        await asyncio.sleep(0)
        return budget.wait(), budget.spent()

    assert asyncio.run(main()) == (0.0, False)


async def _one_cycle(budget: TurnBudget) -> float:
    """A share spent at once, its rest, and the next share's first look (which measures the
    rest); returns the length the next rest will have."""
    budget.spent()  # starts the count
    assert budget.spent()  # past the (zero) share: the rest starts
    await budget.pause()
    assert budget.spent() is False  # a fresh share, after the rest
    await asyncio.sleep(0)  # the next turn
    return budget.next_rest


def test_rests_no_thread_uses_shrink_to_a_quarter():
    """A kernel pushing to a browser with nothing else to serve: rests are throughput thrown
    away, so each is half the one before, down to a quarter of the whole."""
    async def main():
        budget = TurnBudget(seconds=0.0, rest=0.04)
        return [await _one_cycle(budget) for _ in range(4)]

    assert asyncio.run(main()) == [0.02, 0.01, 0.01, 0.01]


def test_rests_a_thread_uses_are_whole_and_stay_whole_for_a_while():
    """A request whose work runs in threads (jupyter_server's contents manager) uses the rests:
    they are whole at once, and for BUSY_HOLD_SECONDS after the threads last used one."""
    async def main():
        budget = TurnBudget(seconds=0.0, rest=0.04)
        shrunk = [await _one_cycle(budget) for _ in range(2)]
        stop = threading.Event()

        def work() -> None:  # wants the interpreter whenever the loop lets it go
            while not stop.is_set():
                sum(range(1000))

        thread = threading.Thread(target=work)
        thread.start()
        try:
            busy = [await _one_cycle(budget) for _ in range(2)]
        finally:
            stop.set()
            thread.join()
        held = await _one_cycle(budget)  # within the hold: still whole
        await asyncio.sleep(BUSY_HOLD_SECONDS)
        after = [await _one_cycle(budget) for _ in range(2)]
        return shrunk, busy, held, after

    shrunk, busy, held, after = asyncio.run(main())
    assert shrunk == [0.02, 0.01]
    assert busy == [0.04, 0.04]
    assert held == 0.04
    assert after == [0.02, 0.01]
