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


def test_every_exception_the_package_defines_is_a_push_error():
    import importlib
    import inspect
    import pkgutil

    import jupyter_push
    from jupyter_push import PushError

    defined = []
    for info in pkgutil.walk_packages(jupyter_push.__path__, "jupyter_push."):
        module = importlib.import_module(info.name)
        defined += [cls for _, cls in inspect.getmembers(module, inspect.isclass)
                    if issubclass(cls, BaseException) and cls.__module__ == info.name]
    assert {"InvalidInput", "AuthError", "NoServer", "HTTPFailure", "BundleError"} <= {
        cls.__name__ for cls in defined}
    assert [cls for cls in defined if not issubclass(cls, PushError)] == []


def test_the_exceptions_are_exported_and_keep_their_builtin_bases():
    import jupyter_push as jp

    assert issubclass(jp.InvalidChannel, jp.InvalidInput)
    assert issubclass(jp.InvalidInput, ValueError)
    assert issubclass(jp.EventTooLarge, jp.InvalidInput)
    for cls in (jp.NoServer, jp.HTTPFailure, jp.SubscribeError):
        assert issubclass(cls, jp.PushError) and issubclass(cls, RuntimeError)
    assert jp.HTTPFailure(429, "slow down").status == 429
    assert jp.AuthError(403, "no").status == 403


def test_the_package_ships_type_information():
    from importlib.resources import files

    assert files("jupyter_push").joinpath("py.typed").is_file()
