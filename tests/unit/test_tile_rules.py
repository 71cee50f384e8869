"""The tile rules: the shared fixture (tests/fixtures/tiles.json) passed by the Python port and
by the tile library's bundle run in Node; the bundle's module rules."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

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


@pytest.mark.skipif(NODE is None, reason="Node.js not installed")
def test_the_bundled_library_decides_like_the_fixture(tmp_path):
    bundle = tmp_path / "tiles.mjs"
    bundle.write_text(tiles_script(), encoding="utf-8")
    script = (
        f"import {{ decide }} from {json.dumps(bundle.as_uri())};\n"
        f"const cases = {json.dumps(CASES)};\n"
        "console.log(JSON.stringify(cases.map(c => decide(c.channel, c.data))));"
    )
    out = subprocess.run([NODE, "--input-type=module", "-e", script],
                         capture_output=True, text=True, check=True, timeout=30)
    assert json.loads(out.stdout) == [c["tile"] for c in CASES]


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
