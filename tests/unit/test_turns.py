"""TurnBudget: push work's share of one turn of the event loop."""

import asyncio

from jupyter_push.server.turns import TurnBudget


def test_share_counts_from_the_first_look_in_a_turn_and_is_fresh_in_the_next():
    async def main():
        budget = TurnBudget(seconds=0.0)
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
