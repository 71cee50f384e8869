"""The snapshot page written by Python (`jupyter push snapshot`) is the page the browser's
"Save snapshot" writes (snapshot.js), byte for byte apart from the JSON's number formatting."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from jupyter_push.snapshot import script_safe, snapshot_page
from jupyter_push.tiles_bundle import tiles_script

NODE = shutil.which("node")

SNAPSHOT = {"format": "jupyter_push.tiles", "version": 1, "title": 'run <1> & "two"',
            "saved": 1700000000, "cards": [{"channel": "a", "kind": None, "multi": False,
                                            "events": [{"channel": "a", "data": "</script>",
                                                        "time": 1}]}]}


def test_text_in_a_script_element_cannot_close_it():
    assert script_safe('x</script><!--y</SCRIPT>') == 'x<\\/script><\\!--y<\\/SCRIPT>'


@pytest.mark.skipif(NODE is None, reason="Node.js not installed")
def test_python_and_the_browser_write_the_same_page(tmp_path):
    bundle = tmp_path / "tiles.mjs"
    bundle.write_text(tiles_script(), encoding="utf-8")
    script = (
        f"import {{ snapshotPage }} from {json.dumps(bundle.as_uri())};\n"
        f"process.stdout.write(snapshotPage('LIBRARY', {json.dumps(SNAPSHOT)}));"
    )
    out = subprocess.run([NODE, "--input-type=module", "-e", script],
                         capture_output=True, text=True, check=True, timeout=30)
    python = snapshot_page(SNAPSHOT, library="LIBRARY")
    assert out.stdout == python
    assert "</script>\"" not in python and re.search(r"<title>run &#60;1&#62; &#38; &#34;", python)
