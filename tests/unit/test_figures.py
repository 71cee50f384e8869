"""push_figure(): a matplotlib figure becomes an image tile's value, encoded off the caller's
thread; a figure over the size limit is an error that says what to do."""

from __future__ import annotations

import base64
import threading

import pytest

from jupyter_push import figures, push_figure
from jupyter_push.client import _inprocess as local
from jupyter_push.tile_rules import decide

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402


@pytest.fixture(autouse=True)
def no_server(monkeypatch, tmp_path):
    monkeypatch.delenv("JUPYTER_PUSH_URL", raising=False)
    monkeypatch.delenv("JUPYTER_PUSH_TOKEN", raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))


def figure() -> Figure:
    fig = Figure(figsize=(2, 1.5))
    fig.add_subplot().plot([0, 1, 2], [2, 0, 1])
    return fig


def test_a_figure_is_pushed_as_png_from_another_thread():
    got: list[tuple[str, object, str]] = []
    remove = local.add_listener(["figs/**"],
                                lambda c, d: got.append((c, d, threading.current_thread().name)))
    try:
        push_figure("figs/loss", figure()).result(timeout=30)
    finally:
        remove()
    [(channel, data, thread)] = got
    assert channel == "figs/loss" and thread != threading.current_thread().name
    assert isinstance(data, dict)
    assert base64.b64decode(data["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert decide(channel, data) == "image"


def test_svg_is_text_and_bad_formats_and_large_figures_are_refused(monkeypatch):
    svg = figures.encode_figure(figure(), "svg")
    assert svg["image/svg+xml"].lstrip().startswith("<?xml")
    with pytest.raises(ValueError, match="format must be one of"):
        push_figure("figs/x", figure(), format="bmp").result(timeout=30)
    monkeypatch.setattr(figures, "MAX_IMAGE_BYTES", 100)
    with pytest.raises(figures.FigureTooLarge, match="lower dpi="):
        push_figure("figs/x", figure()).result(timeout=30)
