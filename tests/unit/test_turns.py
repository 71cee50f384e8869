"""TurnBudget: push work's share of one turn of the event loop."""

import asyncio

from jupyter_push.server.turns import TurnBudget


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
