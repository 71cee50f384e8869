"""CI runs lint: `.ci/run` on a copy of the repository with one lint error fails, and says why.

The copy uses this test's own virtual environment (`VENV=`), and the Makefile's install stamp
is kept newer than its inputs, so nothing is installed; `PYTEST_ARGS` narrows `make test` to
one small module in case CI reaches it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAMP = Path(sys.prefix) / ".jupyter_push-installed"
SKIP = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "artifacts",
                              ".yarn", "*_cache", "dist", "build")


def copy_of_repository(dest: Path) -> Path:
    shutil.copytree(ROOT, dest, ignore=SKIP, symlinks=True)
    # every file looks older than the install stamp, so make installs nothing into this venv
    for path in dest.rglob("*"):
        if path.is_file() and not path.is_symlink():
            os.utime(path, (0, 0))
    return dest


@pytest.mark.skipif(not STAMP.exists(), reason="needs the venv `make` set up (its install stamp)")
def test_ci_fails_when_lint_fails(tmp_path):
    repo = copy_of_repository(tmp_path / "repo")
    module = repo / "jupyter_push" / "_version.py"
    module.write_text(module.read_text() + "\nimport os  # unused: ruff's F401\n")
    env = {**os.environ, "VENV": sys.prefix, "PYTEST_ARGS": "-q tests/unit/test_events.py"}
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    run = subprocess.run(["bash", ".ci/run"], cwd=repo, env=env, capture_output=True,
                         text=True, timeout=600, stdin=subprocess.DEVNULL)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output
    assert "F401" in output and "_version.py" in output, output
    where = "import jupyter_push; print(jupyter_push.__file__)"
    installed = subprocess.run([sys.executable, "-c", where],
                               cwd=tmp_path, capture_output=True, text=True).stdout
    assert installed.startswith(str(ROOT)), f"make reinstalled the venv from the copy: {output}"
