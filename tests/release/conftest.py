"""The release as a user gets it: `make dist`'s wheel installed into a fresh virtual environment
with JupyterLab and ipykernel and nothing else (no extras, no test tools), once per session.
Its `bin/` alone is the PATH the tests give its commands: no `node` there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAMP = Path(sys.prefix) / ".jupyter_push-installed"


@dataclass
class FreshInstall:
    venv: Path
    wheel: Path

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def env(self) -> dict[str, str]:
        """The environment its commands run in: PATH is the venv's bin only."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))}
        env["PATH"] = str(self.venv / "bin")
        return env

    def run(self, *args: str, **kw) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), env=self.env, capture_output=True, text=True,
                              timeout=300, stdin=subprocess.DEVNULL, **kw)


@pytest.fixture(scope="session")
def release_wheel(tmp_path_factory) -> Path:
    """`make dist` (with this test run's venv; `-o` keeps make from reinstalling it)."""
    if not STAMP.exists():
        pytest.skip("needs the venv `make` set up (its install stamp)")
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    run = subprocess.run(["make", "-o", str(STAMP), "dist", f"VENV={sys.prefix}",
                          f"DIST={dist}"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=600, stdin=subprocess.DEVNULL)
    assert run.returncode == 0, run.stdout + run.stderr
    (wheel,) = dist.glob("jupyter_push-*.whl")
    assert list(dist.glob("jupyter_push-*.tar.gz")), "make dist builds the sdist too"
    return wheel


@pytest.fixture(scope="session")
def fresh_install(release_wheel, tmp_path_factory) -> FreshInstall:
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([shutil.which("python3") or sys.executable, "-m", "venv", str(venv)],
                   check=True, timeout=120)
    install = FreshInstall(venv, release_wheel)
    pip = install.run(install.python, "-m", "pip", "install", "--quiet", "--no-compile",
                      str(release_wheel), "jupyterlab", "ipykernel")
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return install
