"""The JupyterLab extension's own checks, run from pytest so `make test` covers them: its
TypeScript unit tests (tile shapes, resume), tsc + eslint, and that Jupyter lists it as OK."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

LABEXTENSION = Path(__file__).resolve().parents[2] / "labextension"
BIN = Path(sys.executable).parent
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(
    cmd: list[str], cwd: Path = LABEXTENSION, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def jlpm() -> str:
    exe = shutil.which("jlpm", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if exe is None:
        pytest.skip("jlpm not found: pip install jupyterlab")
    if shutil.which("node") is None:
        pytest.skip("node not found: apt-get install nodejs")
    if not (LABEXTENSION / "node_modules").is_dir():
        installed = run([exe, "install"])
        assert installed.returncode == 0, installed.stdout[-3000:] + installed.stderr[-3000:]
    return exe


def test_shape_and_resume_unit_tests_pass(jlpm: str) -> None:
    result = run([jlpm, "test"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    passed = re.search(r"^# pass (\d+)$", output, re.M)
    assert passed and int(passed.group(1)) >= 40, output[-2000:]
    assert re.search(r"^# fail 0$", output, re.M), output[-2000:]


def test_typescript_and_eslint_are_clean(jlpm: str) -> None:
    result = run([jlpm, "lint"])
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]


def test_jupyter_lists_the_prebuilt_extension_enabled_and_ok() -> None:
    result = run([str(BIN / "jupyter"), "labextension", "list"], cwd=Path.cwd())
    listing = ANSI.sub("", result.stdout + result.stderr)
    assert result.returncode == 0, listing
    assert re.search(r"^\s*jupyter-push v\S+ enabled\s+OK", listing, re.M), listing
