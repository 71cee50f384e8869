"""Finding the server: explicit arguments > environment > newest live runtime file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from jupyter_push.client.discovery import Server, find_server
from jupyter_push.exceptions import NoServer


@pytest.fixture
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("JUPYTER_PUSH_URL", raising=False)
    monkeypatch.delenv("JUPYTER_PUSH_TOKEN", raising=False)
    return tmp_path


def write_runtime_file(directory, pid: int, url: str, token: str, mtime: float) -> None:
    path = directory / f"jupyter_push-{pid}.json"
    path.write_text(json.dumps({"url": url, "token": token, "pid": pid}))
    os.utime(path, (mtime, mtime))


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_environment_is_used_and_gets_a_trailing_slash(runtime, monkeypatch):
    monkeypatch.setenv("JUPYTER_PUSH_URL", "http://127.0.0.1:1/base/push")
    monkeypatch.setenv("JUPYTER_PUSH_TOKEN", "kt")
    assert find_server() == Server("http://127.0.0.1:1/base/push/", "kt")


def test_explicit_arguments_win_over_the_environment(runtime, monkeypatch):
    monkeypatch.setenv("JUPYTER_PUSH_URL", "http://127.0.0.1:1/push/")
    monkeypatch.setenv("JUPYTER_PUSH_TOKEN", "env-token")
    mine = Server("http://127.0.0.1:2/push/", "mine")
    assert find_server("http://127.0.0.1:2/push/", "mine") == mine
    assert find_server(token="mine") == Server("http://127.0.0.1:1/push/", "mine")


def test_explicit_url_takes_the_token_advertised_for_that_url(runtime):
    write_runtime_file(runtime, os.getpid(), "http://127.0.0.1:3/push/", "file-token", 100)
    found = find_server("http://127.0.0.1:3/push")
    assert found == Server("http://127.0.0.1:3/push/", "file-token")


def test_newest_runtime_file_of_a_live_server_is_used(runtime):
    write_runtime_file(runtime, os.getpid(), "http://127.0.0.1:4/push/", "older", 100)
    write_runtime_file(runtime, os.getppid(), "http://127.0.0.1:5/push/", "newer", 200)
    assert find_server() == Server("http://127.0.0.1:5/push/", "newer")


def test_runtime_file_of_a_dead_server_is_ignored(runtime):
    write_runtime_file(runtime, os.getpid(), "http://127.0.0.1:6/push/", "alive", 100)
    write_runtime_file(runtime, dead_pid(), "http://127.0.0.1:7/push/", "stale", 200)
    assert find_server() == Server("http://127.0.0.1:6/push/", "alive")


def test_environment_wins_over_runtime_files(runtime, monkeypatch):
    write_runtime_file(runtime, os.getpid(), "http://127.0.0.1:8/push/", "file", 100)
    monkeypatch.setenv("JUPYTER_PUSH_URL", "http://127.0.0.1:9/push/")
    monkeypatch.setenv("JUPYTER_PUSH_TOKEN", "env")
    assert find_server() == Server("http://127.0.0.1:9/push/", "env")


def test_no_server_says_what_to_do(runtime):
    (runtime / "jupyter_push-garbage.json").write_text("{not json")
    write_runtime_file(runtime, dead_pid(), "http://127.0.0.1:7/push/", "stale", 200)
    with pytest.raises(NoServer, match="start Jupyter with jupyter_push installed, or pass --url"):
        find_server()


def test_websocket_url_follows_the_http_scheme():
    assert Server("http://h:1/a%40b/push/", None).ws_url == "ws://h:1/a%40b/push/ws"
    assert Server("https://h/push/", None).ws_url == "wss://h/push/ws"


def test_the_real_server_advertises_itself_for_discovery(push_app, push_url, kernel_token,
                                                         monkeypatch):
    monkeypatch.delenv("JUPYTER_PUSH_URL")
    assert find_server() == Server(push_url, kernel_token)  # from its runtime file
