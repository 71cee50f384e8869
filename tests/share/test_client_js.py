"""client.js's pure parts (pattern matching, link parsing) agree with the server; run in Node."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from jupyter_push.channels import matches

NODE = shutil.which("node")
CLIENT = Path(__file__).resolve().parents[2] / "jupyter_push" / "static" / "client.js"

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js not installed")

PATTERNS = ["progress", "*", "**", "train/*", "train/**", "*/loss", "train/*/x", "$sys/**", "$sys"]
CHANNELS = ["progress", "train", "train/loss", "train/a/x", "a/loss", "$sys", "$sys/load", "x/y/z"]


def run_node(script: str) -> object:
    source = f"import * as client from {json.dumps(CLIENT.as_uri())};\n{script}"
    out = subprocess.run(
        [NODE, "--input-type=module", "-e", source],
        capture_output=True, text=True, check=True, timeout=30,
    )
    return json.loads(out.stdout)


def test_client_pattern_matching_is_the_servers():
    cases = list(itertools.product(PATTERNS, CHANNELS))
    got = run_node(
        f"console.log(JSON.stringify({json.dumps(cases)}.map(([p, ch]) => client.matches(p, ch))))"
    )
    assert got == [matches(p, c) for p, c in cases]


def test_client_splits_a_share_link_into_server_token_and_patterns():
    link = "https://h.example/user/a%40b/push/events?access=T.K.N&channel=train/**&channel=log"
    got = run_node(f"console.log(JSON.stringify(client.parseLink({json.dumps(link)})))")
    assert got == {"push": "https://h.example/user/a%40b/push/", "access": "T.K.N",
                   "channels": ["train/**", "log"], "maxRate": None}
    got = run_node(f"console.log(JSON.stringify(client.parseLink({json.dumps(link)} + "
                   "'&max_rate=5')))")
    assert got["maxRate"] == "5"  # a link may carry the rate its page asks for

