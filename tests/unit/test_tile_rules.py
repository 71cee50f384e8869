"""The tile rules: the shared fixture (tests/fixtures/tiles.json) passed by the Python port and
by the tile library's bundle run in Node; the bundle's module rules."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from jupyter_push.tile_rules import decide
from jupyter_push.tiles_bundle import BundleError, _transform, tiles_script

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "tiles.json"
CASES = json.loads(FIXTURE.read_text(encoding="utf-8"))["cases"]
NODE = shutil.which("node")


def test_the_fixture_covers_every_shape_the_issue_names():
    assert len(CASES) >= 40
    tiles = {c["tile"] for c in CASES}
    assert tiles == {"kernel", "notices", "control", "image", "progress", "number", "chart",
                     "table", "log", "json"}


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['channel']}:{c['tile']}:{c['why'][:30]}")
def test_python_decides_like_the_fixture(case):
    assert decide(case["channel"], case["data"]) == case["tile"], case["why"]


def run_with_bundle(tmp_path: Path, names: str, body: str) -> Any:
    """Run `body` in Node with `names` imported from the bundled tile library (the one served to
    pages); returns what it prints, as JSON."""
    assert NODE is not None
    bundle = tmp_path / "tiles.mjs"
    bundle.write_text(tiles_script(), encoding="utf-8")
    script = f"import {{ {names} }} from {json.dumps(bundle.as_uri())};\n{body}"
    out = subprocess.run([NODE, "--input-type=module", "-e", script],
                         capture_output=True, text=True, check=True, timeout=30)
    return json.loads(out.stdout)


@pytest.mark.skipif(NODE is None, reason="Node.js not installed")
def test_the_bundled_library_decides_like_the_fixture(tmp_path):
    decided = run_with_bundle(
        tmp_path, "decide",
        f"const cases = {json.dumps(CASES)};\n"
        "console.log(JSON.stringify(cases.map(c => decide(c.channel, c.data))));")
    assert decided == [c["tile"] for c in CASES]


def test_the_bundler_refuses_module_forms_it_cannot_join():
    with pytest.raises(BundleError, match="unsupported module syntax"):
        _transform("m", "import x from './y.js';\n", entry=False)
    with pytest.raises(BundleError, match="only the entry"):
        _transform("m", "export default 1;\n", entry=False)
    code, deps, exports = _transform(
        "m", "import { a, b as c } from './y.js';\nexport function f() { return a + c; }\n",
        entry=False,
    )
    assert deps == ["y"] and exports == ["f"]
    assert "const { a, b: c } = __tiles_y;" in code


GROUP_CASES = [  # (channel, the source of its latest event)
    ("$kernels/k1", {}), ("$kernels/k1/resources", {}), ("$notify", {}),
    ("$alerts/stalled/train", {}), ("$system/cpu", {}), ("train/loss", {"kernel": "k2"}),
    ("train/loss", {}), ("train/loss", {"kernel": ""}), ("train/loss", {"path": "a.ipynb"}),
]
GROUP_KEYS = ["other", "kernel:b", "system", "compare", "notices", "kernel:a", "kernel:c"]
NOTEBOOKS = {"kernel:a": "z.ipynb", "kernel:b": "a.ipynb", "kernel:c": "a.ipynb"}


@pytest.mark.skipif(NODE is None, reason="Node.js not installed")
def test_python_groups_and_orders_channels_as_the_tile_library(tmp_path):
    """The notebook Dashboard's static fallback groups with tile_rules.group_of / group_order:
    the same groups, in the same order, as the live views (grouping.js)."""
    from jupyter_push.tile_rules import group_of, group_order

    js = run_with_bundle(
        tmp_path, "compareGroups, groupOf",
        f"const cases = {json.dumps(GROUP_CASES)}, notebooks = {json.dumps(NOTEBOOKS)};\n"
        "const groups = cases.map(([channel, source]) => groupOf(channel, "
        "{ channel, data: null, time: 0, source }));\n"
        f"const order = {json.dumps(GROUP_KEYS)}.sort((a, b) => "
        "compareGroups(a, b, k => notebooks[k] ?? ''));\n"
        "console.log(JSON.stringify({ groups, order }));")
    assert [group_of(c, s) for c, s in GROUP_CASES] == js["groups"]
    assert sorted(GROUP_KEYS, key=lambda k: group_order(k, NOTEBOOKS.get(k, ""))) == js["order"]
    assert js["order"][:3] == ["compare", "kernel:b", "kernel:c"]  # the case is not trivial
