"""`jupyter push …` as a user runs it: a subprocess against the real server."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from tests.client.support import subscribed
from tests.conftest import publish

TIMEOUT = 30
JUPYTER = Path(sys.executable).with_name("jupyter")


CLI = (sys.executable, "-m", "jupyter_push.cli")


async def run(*args: str, env: dict | None = None, program=CLI):
    process = await asyncio.create_subprocess_exec(
        *program, *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), TIMEOUT)
    return process.returncode, out.decode(), err.decode()


@pytest.fixture
def server_args(push_url, kernel_token) -> list[str]:
    return [f"--url={push_url}", f"--token={kernel_token}"]  # a token may start with "-"


async def test_publish_prints_the_id_and_tail_sees_the_event(server_args, http):
    code, out, err = await run("publish", "progress", '{"done": 40}', *server_args)
    assert code == 0, err
    event_id = out.strip()
    code, out, err = await run("tail", "progress", "--count", "1", *server_args)
    assert code == 0, err
    (line,) = out.splitlines()
    event = json.loads(line)
    assert (event["id"], event["channel"], event["data"]) == (event_id, "progress", {"done": 40})


async def test_tail_with_since_and_no_retained_prints_events_in_order(server_args, http):
    first = await publish(http, "t", 1)
    for i in (2, 3):
        await publish(http, "t", i)
    code, out, err = await run("tail", "t", "--since", first, "--count", "2", *server_args)
    assert code == 0, err
    assert [json.loads(line)["data"] for line in out.splitlines()] == [2, 3]

    tail = asyncio.ensure_future(run("tail", "t", "--no-retained", "--count", "1", *server_args))
    await subscribed(http, 1)
    await publish(http, "t", 4)
    code, out, err = await tail
    assert code == 0, err
    assert [json.loads(line)["data"] for line in out.splitlines()] == [4]


async def test_bad_json_argument_exits_2_with_a_message(server_args):
    code, out, err = await run("publish", "progress", "{oops", *server_args)
    assert code == 2
    assert "not valid JSON" in err and out == ""


async def test_status_uses_the_environment_the_server_advertises(push_app, push_url):
    code, out, err = await run("status")  # JUPYTER_PUSH_URL/TOKEN set by the extension
    assert code == 0, err
    status = json.loads(out)
    assert status["role"] == "kernel" and "published" in status


async def test_jupyter_push_subcommand_runs_the_cli(server_args):
    code, out, err = await run("status", *server_args, program=(str(JUPYTER), "push"))
    assert code == 0, err
    assert "version" in json.loads(out)


async def test_server_refusal_exits_1_with_the_servers_message(push_url):
    code, _, err = await run("publish", "a", "1", "--url", push_url, "--token", "wrong")
    assert code == 1
    assert "HTTP 40" in err and "token" in err, err


async def test_invalid_channel_is_explained(server_args):
    code, _, err = await run("publish", "bad channel", "1", *server_args)
    assert code == 1
    assert "segment" in err


async def test_no_server_exits_3_and_says_what_to_do(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_PUSH_")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path)
    for command in (["status"], ["publish", "a", "1"], ["tail"], ["share", "a"]):
        code, _, err = await run(*command, env=env)
        assert code == 3, (command, err)
        assert "start Jupyter with jupyter_push installed, or pass --url/--token" in err


async def test_unreachable_url_exits_3(tmp_path):
    code, _, err = await run("status", "--url", "http://127.0.0.1:9/push/", "--token", "x")
    assert code == 3 and "cannot reach" in err
    code, _, err = await run("tail", "--url", "http://127.0.0.1:9/push/", "--token", "x")
    assert code == 3 and "cannot reach" in err


async def test_share_prints_the_share_url(server_args, push_app):
    from jupyter_push.handlers import default_handlers

    if not any(route[0].endswith("push/tokens") for route in default_handlers):
        pytest.skip("POST push/tokens is not in this server yet")
    code, out, err = await run("share", "progress", "--ttl", "60", *server_args)
    assert code == 0, err
    assert "access=" in out and out.strip().startswith("http")


async def test_share_with_write_prints_a_link_that_may_set_its_controls(server_args, push_app):
    code, out, err = await run("share", "train/**", "--write", "train/control/**",
                               "--ttl", "60", *server_args)
    assert code == 0, err
    token = out.strip().split("access=")[1].split("&")[0]
    grant = push_app.state.shares.verify(token)
    assert grant.write is not None and grant.write.patterns == ("train/control/**",)
    code, _, err = await run("share", "train/**", "--write", "other/**", *server_args)
    assert code == 1 and "outside the link's channels" in err
