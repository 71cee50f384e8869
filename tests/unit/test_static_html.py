"""The static fallback's markup (jupyter_push.static_html): numbers read as the tiles write them,
values as text, nothing unescaped."""

from __future__ import annotations

import re
from base64 import b64decode

from jupyter_push.static_html import (
    card,
    chart_body,
    describe_progress,
    format_duration,
    format_number,
    lines_body,
    progress_body,
)


def test_numbers_and_progress_read_as_in_the_tiles():
    # the same cases as labextension/test/tilelib.test.ts and format.test.ts
    assert describe_progress(20, 100, 5) == "20% · 5%/s · ETA 16s"
    assert describe_progress(3, 12, None) == "3 / 12 (25%)"
    assert describe_progress(7, None) == "7"
    assert [format_number(v) for v in (3, 0.1234567, 1.5e-5, 2.5e6, 2.5e6 + 0.5, 1e10, -0.5)] == [
        "3", "0.1235", "1.500e-5", "2500000", "2.500e+6", "1.000e+10", "-0.5"]
    assert [format_duration(s) for s in (5, 75, 3725)] == ["5s", "1m 15s", "1h 02m"]


def test_markup_carries_every_value_as_text_and_escapes_names():
    html = card("<b>", "chart", chart_body({"a&b": [[0, 1.0], [1, 0.5]], "c": []}))
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert 'data-series="a&amp;b"' in html and "a&amp;b 0.5" in html
    assert "2 points · min 0.5 · max 1" in html
    [image] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    assert b64decode(image).decode().count("<polyline") == 1  # an empty series draws nothing
    bar = progress_body(50, 50)
    assert 'aria-valuenow="50"' in bar and "50 / 50 (100%)" in bar and "jpt-mod-done" in bar
    log = lines_body([f"line {i} <x>" for i in range(30)])
    assert "line 29 &lt;x&gt;" in log and "line 17 " not in log  # the last 12 lines
