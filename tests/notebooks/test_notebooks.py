"""Every notebook in notebooks/ runs top to bottom with nbclient: headless (no server, as under
papermill or in CI) and in a kernel that a Jupyter server with jupyter_push started."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

pytestmark = pytest.mark.timeout(180)


def client_for(name: str) -> NotebookClient:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return NotebookClient(
        nb, kernel_name="python3", timeout=120, store_widget_state=True,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path)  # never find a server running elsewhere
    return env


def errors(nb: Any) -> list[str]:
    return [
        f"cell {i}: {o.ename}: {o.evalue}"
        for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
        for o in cell.outputs if o.output_type == "error"
    ]


def stdout(nb: Any) -> str:
    return "".join(
        o.get("text", "") for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs
        if o.output_type == "stream" and o.name == "stdout"
    )


def saved_widget(nb: Any, channel: str) -> dict[str, Any]:
    """The saved state of the first widget made for `channel` (before any dashboard's)."""
    states = [m["state"] for m in nb.metadata.widgets[WIDGET_STATE]["state"].values()]
    found = [s for s in states if s.get("channel") == channel]
    assert found, f"no saved widget for {channel}"
    return found[0]


def test_the_notebooks_folder_has_the_promised_notebooks():
    assert {"demo.ipynb", "cross_kernel.ipynb"} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_notebook_runs_headless(name, tmp_path):
    client = client_for(name)
    client.execute(env=base_env(tmp_path))
    assert errors(client.nb) == []
    assert WIDGET_STATE in client.nb.metadata.widgets


def test_demo_saves_final_widget_state_headless(tmp_path):
    client = client_for("demo.ipynb")
    client.execute(env=base_env(tmp_path))
    nb = client.nb
    progress = saved_widget(nb, "demo/progress")
    assert (progress["value"], progress["total"]) == (300, 300)
    assert saved_widget(nb, "demo/count")["value"] == 9_999
    train = saved_widget(nb, "demo/train")["series"]
    assert set(train) == {"loss", "accuracy"} and len(train["loss"]) == 200
    assert saved_widget(nb, "demo/status")["value"] == "training finished"
    assert len(saved_widget(nb, "demo/log")["lines"]) == 5


@pytest.mark.parametrize("name", ALL)
async def test_notebook_runs_in_a_kernel_of_a_server_with_jupyter_push(
    name, tmp_path, push_url, kernel_token
):
    client = client_for(name)
    env = {**base_env(tmp_path), "JUPYTER_PUSH_URL": push_url, "JUPYTER_PUSH_TOKEN": kernel_token}
    await client.async_execute(env=env)
    assert errors(client.nb) == []


async def test_cross_kernel_notebook_shows_what_the_script_published(
    tmp_path, push_url, kernel_token
):
    client = client_for("cross_kernel.ipynb")
    env = {**base_env(tmp_path), "JUPYTER_PUSH_URL": push_url, "JUPYTER_PUSH_TOKEN": kernel_token}
    await client.async_execute(env=env)
    nb = client.nb
    assert "following other processes: True" in stdout(nb)
    assert "the script's last event arrived: True" in stdout(nb)
    progress = saved_widget(nb, "sim/progress")
    assert (progress["value"], progress["total"]) == (150, 150)
    assert '"ids"' in stdout(nb)  # the HTTP POST was answered
