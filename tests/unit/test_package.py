"""The package's top level: the public names resolve to what the README promises, whatever was
imported before, and the server process never loads the kernel client."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("first", ["", "import jupyter_push.widgets", "import jupyter_push.app"])
def test_public_names_are_the_functions_whatever_was_imported_first(first):
    code = (f"{first}\nimport jupyter_push\n"
            "from jupyter_push import flush, push, share, subscribe, track\n"
            "print(all(callable(f) and type(f).__name__ == 'function'"
            " for f in (flush, push, share, subscribe, track)))")
    assert run(code) == "True"


def test_the_server_extension_does_not_import_the_kernel_client():
    code = ("import sys, jupyter_push.app\n"
            "print(sorted(m for m in sys.modules if m.startswith('jupyter_push.client')))")
    assert run(code) == "[]"
