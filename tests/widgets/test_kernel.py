"""Widgets in real kernels: driven through a real Jupyter server (its IOPub rate limiter is
what loses ipywidgets updates and output under load), and headless with nbclient."""

from __future__ import annotations

import asyncio
import json
import os

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import publish

from .kernel_session import KernelSession

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def kernel(jp_fetch, jp_ws_fetch, push_url, jp_asyncio_loop):
    run = jp_asyncio_loop.run_until_complete
    r = run(jp_fetch("api", "kernels", method="POST", body=json.dumps({"name": "python3"})))
    kernel_id = json.loads(r.body)["id"]
    ws = run(jp_ws_fetch("api", "kernels", kernel_id, "channels"))
    yield KernelSession(ws)
    ws.close()
    run(jp_fetch("api", "kernels", kernel_id, method="DELETE"))


TIGHT_LOOP = """
from jupyter_push import push
from jupyter_push.widgets import Progress
bar = Progress("progress")
display(bar)
for i in range(10_000):
    push("progress", i)
print("after the loop")
"""


async def test_tight_push_loop_ends_exact_with_few_messages_and_output_intact(kernel):
    run = await kernel.execute(TIGHT_LOOP)
    assert run.errors == []
    [bar] = run.widget_ids("Progress", channel="progress")
    values = [u["value"] for u in run.updates(bar) if "value" in u]
    assert values[-1] == 9_999
    assert len(values) < 300  # 10,000 pushes, conflated to a few frames
    assert "after the loop" in run.stdout


async def test_events_published_elsewhere_reach_a_bound_widget(kernel, http):
    setup = await kernel.execute(
        "from jupyter_push.widgets import Progress\n"
        "bar = Progress('remote/progress', total=50)\n"
        "display(bar)\nprint(bar.remote)"
    )
    assert setup.errors == []
    assert setup.stdout.strip() == "True"
    [bar] = setup.widget_ids("Progress", channel="remote/progress")
    # publish while a cell runs, so the widget's updates are attributed to that cell
    running = asyncio.ensure_future(kernel.execute(
        "import time\n"
        "from jupyter_push import flush, push\n"
        "push('remote/running', True)\n"
        "flush(10)\n"
        "deadline = time.monotonic() + 30\n"
        "while bar.value != 50 and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "time.sleep(0.2)\n"
        "print(bar.value)"
    ))
    while not (await http.get("channels", params={"channel": "remote/running"})).json()[
            "channels"]:  # the cell has started
        assert not running.done(), running.result()
        await asyncio.sleep(0.01)
    for i in range(51):
        await publish(http, "remote/progress", i)
    run = await running
    assert run.stdout.strip() == "50.0"
    assert [u["value"] for u in run.updates(bar) if "value" in u][-1] == 50


async def test_own_pushes_are_shown_once_though_the_server_echoes_them(kernel, http):
    setup = await kernel.execute(
        "import jupyter_push\n"
        "from jupyter_push import push\n"
        "from jupyter_push.widgets import Log\n"
        "log = Log('dup/log')\n"
        "display(log)\n"
        "for i in range(5):\n"
        "    push('dup/log', f'mine {i}')\n"
        "print(log.remote, jupyter_push.flush(10))"
    )
    assert setup.stdout.split() == ["True", "True"]
    await publish(http, "dup/log", "theirs")
    run = await kernel.execute(
        "import json, time\n"
        "deadline = time.monotonic() + 30\n"
        "while 'theirs' not in log.lines and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "print(json.dumps(log.lines))"
    )
    assert json.loads(run.stdout) == [f"mine {i}" for i in range(5)] + ["theirs"]


def headless_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path)  # no server to find
    return env


def test_headless_run_saves_the_final_widget_state_in_the_notebook(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(TIGHT_LOOP)])
    client = NotebookClient(nb, kernel_name="python3", timeout=60, store_widget_state=True)
    client.execute(env=headless_env(tmp_path))
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    assert "after the loop" in "".join(o.get("text", "") for o in outputs)
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    [bar] = [m["state"] for m in state.values() if m["state"].get("channel") == "progress"]
    assert bar["value"] == 9_999
    view, fallback = [o for o in outputs if o.output_type == "display_data"]
    assert view.data["application/vnd.jupyter.widget-view+json"]["model_id"] in state
    # and the static fallback under it, updated to the final value at the end of the cell
    assert fallback.data["text/plain"].startswith("progress: 9999")
    assert 'aria-valuetext="9999' in fallback.data["text/html"]


async def test_a_chart_bound_to_runs_lines_up_this_kernels_run_and_another_ones(kernel, http):
    for step in range(2):  # a run pushed elsewhere before the chart exists: from the history
        await publish(http, "runs/early/cmpk/loss", {"step": step, "loss": 3 / (step + 1)})
    setup = await kernel.execute(
        "import jupyter_push\n"
        "from jupyter_push import push, run_channel\n"
        "from jupyter_push.widgets import Chart\n"
        "for step in range(3):\n"
        "    push(run_channel('cmpk/loss', 'mine'), {'step': step, 'loss': 1 / (step + 1)})\n"
        "chart = Chart('cmpk/loss', run='*')\n"
        "display(chart)\n"
        "print(chart.remote, jupyter_push.flush(10))"
    )
    assert setup.errors == [] and setup.stdout.split() == ["True", "True"]
    for step in range(3):  # another process's run, while the chart is shown
        await publish(http, "runs/theirs/cmpk/loss", {"step": step, "loss": 2 / (step + 1)})
    run = await kernel.execute(
        "import json, time\n"
        "deadline = time.monotonic() + 30\n"
        "while len(chart.series.get('theirs loss', [])) < 3 and time.monotonic() < deadline:\n"
        "    time.sleep(0.01)\n"
        "print(json.dumps(chart.series))"
    )
    assert json.loads(run.stdout) == {
        "mine loss": [[s, 1 / (s + 1)] for s in range(3)],
        "early loss": [[s, 3 / (s + 1)] for s in range(2)],  # once: not again when subscribed
        "theirs loss": [[s, 2 / (s + 1)] for s in range(3)],
    }
    # the fallback under the chart names the runs with their last loss (the cell's end)
    [fallback] = [m for m in run.messages if m["msg_type"] == "update_display_data"]
    assert "mine loss 0.3333 · early loss 1.5 · theirs loss 0.6667" in fallback["content"][
        "data"]["text/plain"]
