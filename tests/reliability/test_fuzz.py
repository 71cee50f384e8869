"""Generated bad input against a real server: WebSocket messages, query strings, headers and
bodies. Only 2xx/4xx answers, WebSocket error messages or protocol close codes with a reason
come back; healthy clients keep receiving; nothing leaks.

Hypothesis runs in a worker thread and drives clients on the server's loop, so one server
serves thousands of examples. `database=None` and a fixed seed per batch: no files, the
same inputs every run.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
import httpx_sse
import pytest
import websockets
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from tests.conftest import publish, ws_url

TIMEOUT = 10
WS_CLOSE_CODES = {1002, 1003, 1007, 1008, 1009}  # protocol error, bad data, policy, too big
HEALTHY = "healthy/check"
# Generated inputs per test, in batches of `examples // BATCHES`: over 10,000 in all.
EXAMPLES = {"ws": 4000, "query": 2400, "headers": 1650, "body": 2550}
BATCHES = 3

# Hypothesis notices the server's loop using `random` while it generates in its thread.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")


@pytest.fixture(autouse=True)
def hypothesis_home_outside_the_repo(tmp_path_factory):
    """Hypothesis keeps caches in `.hypothesis/` of the working directory otherwise."""
    set_hypothesis_home_dir(str(tmp_path_factory.mktemp("hypothesis")))
    yield
    set_hypothesis_home_dir(None)

# ---------------------------------------------------------------------- strategies

SEGMENT_CHARS = "ABCXYZabcxyz0129_.:-"
segment = st.text(alphabet=SEGMENT_CHARS, min_size=1, max_size=12)
valid_channel = st.lists(segment, min_size=1, max_size=4).map("/".join)
weird_channel = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=190, max_value=260).map(lambda n: ("ab/" * n)[:n]),
    st.sampled_from(["", "/", "//", "a//b", "**", "*", "a/**/b", "a*", "$sys", "$", "a b",
                     "a\nb", "a/\x00", "../..", "é", "a" * 201, "**/a", "*/*/**", "\ud800"]),
    st.lists(st.sampled_from(["*", "**", "a", "$x", "", "é"]), max_size=5).map("/".join),
)
channel = st.one_of(valid_channel, weird_channel)
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=40),
    st.tuples(st.sampled_from([1, -1]), st.integers(min_value=18, max_value=400))
    .map(lambda t: t[0] * 10 ** t[1]),  # beyond 64 bits
)
json_value = st.recursive(
    scalar, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                    st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=10,
)
anything = st.one_of(json_value, channel, st.lists(channel, max_size=4),
                     st.integers(min_value=5000, max_value=200_000).map(lambda n: "x" * n))
op_name = st.one_of(st.sampled_from(["subscribe", "unsubscribe", "publish"]),
                    st.sampled_from(["", "SUBSCRIBE", "ping", "gap", "error", "ack"]),
                    st.none(), st.integers(), st.text(max_size=10))
op = st.fixed_dictionaries(
    {"op": op_name},
    optional={
        "channels": st.one_of(st.lists(channel, max_size=6), channel, json_value),
        "channel": st.one_of(channel, json_value),
        "data": json_value,
        "events": st.one_of(
            st.lists(st.fixed_dictionaries({"channel": channel}, optional={"data": json_value}),
                     max_size=5),
            json_value),
        "since": st.one_of(st.text(max_size=30), json_value),
        "retained": json_value,
        "source": json_value,
        "dropped": st.one_of(st.dictionaries(channel, st.integers(), max_size=3), json_value),
        "ref": json_value,
    },
)

pattern = st.one_of(valid_channel, st.sampled_from(["**", "*", "a/*", "a/**", "*/b/**"]))
well_formed_op = st.one_of(  # reaches the subscribe / publish paths, not just the parser
    st.fixed_dictionaries(
        {"op": st.sampled_from(["subscribe", "unsubscribe"]),
         "channels": st.lists(pattern, min_size=1, max_size=3)},
        optional={"since": st.text(max_size=20), "retained": st.booleans(), "ref": scalar}),
    st.fixed_dictionaries(
        {"op": st.just("publish"), "channel": valid_channel, "data": json_value},
        optional={"ref": scalar, "source": st.dictionaries(st.text(max_size=5), scalar)}),
    st.fixed_dictionaries(
        {"op": st.just("publish"),
         "events": st.lists(st.fixed_dictionaries({"channel": channel, "data": json_value}),
                            min_size=1, max_size=4)},
        optional={"dropped": st.dictionaries(channel, st.integers(), max_size=2)}),
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def dumps_loose(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


ws_message = st.one_of(
    well_formed_op.map(dumps_loose),
    op.map(dumps_loose),
    st.lists(op, max_size=4).map(dumps_loose),
    st.binary(max_size=64),  # binary frames, mostly invalid UTF-8 / not JSON
    op.map(lambda o: dumps_loose(o).encode()),  # a valid op in a binary frame
    st.text(max_size=64),
    st.integers(min_value=1, max_value=100_000).map(nested),
    st.integers(min_value=1, max_value=5000).map(lambda d: '{"op":' * d + "1" + "}" * d),
    json_value.map(dumps_loose),
)

query_key = st.one_of(
    st.sampled_from(["channel", "channel", "since", "limit", "named", "retained", "access",
                     "token", "_xsrf"]),
    st.text(max_size=10),
)
query_value = st.one_of(channel, st.text(max_size=30),
                        st.integers(min_value=-(10**30), max_value=10**30).map(str))
query = st.one_of(
    st.lists(st.tuples(query_key, query_value), max_size=6).map(
        lambda pairs: "&".join(f"{quote_from_bytes(k.encode('utf-8', 'surrogatepass'))}="
                               f"{quote_from_bytes(v.encode('utf-8', 'surrogatepass'))}"
                               for k, v in pairs)),
    st.binary(max_size=40).map(lambda b: "channel=" + quote_from_bytes(b)),  # bad UTF-8
    st.text(alphabet="&=%;+?#abc*/", max_size=30).map(lambda s: s.replace("#", "")),
)
route = st.sampled_from(["events", "channels", "history"])

header_text = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                             exclude_characters="\x7f"), max_size=60)
authorization = st.one_of(
    st.sampled_from(["token JUPYTER", "token KERNEL", "Token KERNEL", "bearer JUPYTER",
                     "Bearer KERNEL"]),
    st.sampled_from(["", "token", "token ", "Bearer", "Basic dXNlcjpwYXNz", "token\tx"]),
    st.tuples(st.sampled_from(["token", "Token", "TOKEN", "bearer", "Bearer", "Basic",
                               "tokenx", ""]),
              st.sampled_from(["JUPYTER", "KERNEL", "JUPYTERx", "xKERNEL", "JUPYTER KERNEL"])
              | header_text).map(" ".join),
    header_text,
)
headers = st.fixed_dictionaries(
    {"Authorization": authorization},
    optional={
        "Last-Event-ID": st.one_of(header_text, st.sampled_from(["", "0", "x-1", "-1"])),
        "Accept": st.sampled_from(["text/event-stream", "text/html", "*/*", "", "x/y"]),
        "Content-Type": st.sampled_from(["application/json", "text/plain", "",
                                         "application/json; charset=latin-1"]),
        "Origin": st.sampled_from(["https://evil.example", "null", ""]) | header_text,
    },
)

body = st.one_of(
    json_value.map(lambda v: dumps_loose(v).encode()),
    st.fixed_dictionaries({"channel": channel}, optional={"data": json_value})
    .map(lambda v: dumps_loose(v).encode()),
    st.lists(st.fixed_dictionaries({"channel": channel}, optional={"data": json_value}),
             max_size=5).map(lambda v: dumps_loose(v).encode()),
    st.binary(max_size=200),
    st.integers(min_value=1, max_value=100_000).map(lambda d: nested(d).encode()),
    st.text(max_size=100).map(lambda s: s.encode("utf-8", "surrogatepass")),
)
content_type = st.sampled_from(["application/json", "application/json; charset=utf-8",
                                "text/plain", "application/x-www-form-urlencoded", "",
                                "APPLICATION/JSON", "multipart/form-data; boundary=x"])


# ---------------------------------------------------------------------- driver


class Driver:
    """Runs coroutines on the server's loop from hypothesis' worker thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, push_url: str, auth: dict,
                 kernel_token: str, jupyter_token: str):
        self.loop = loop
        self.push_url = push_url
        self.auth = auth
        self.kernel_token = kernel_token
        self.jupyter_token = jupyter_token
        self.examples = 0
        self.outcomes: Counter[Any] = Counter()

    def run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(TIMEOUT * 3)

    async def fuzz(self, strategy: st.SearchStrategy, check: Callable[[Any], Coroutine],
                   examples: int, batch: int) -> None:
        @seed(batch)
        @settings(max_examples=examples // BATCHES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def one(value: Any) -> None:
            self.examples += 1
            self.run(check(value))

        await asyncio.to_thread(one)


@pytest.fixture
def driver(jp_asyncio_loop, push_url, auth, kernel_token, jupyter_token) -> Driver:
    return Driver(jp_asyncio_loop, push_url, auth, kernel_token, jupyter_token)


@asynccontextmanager
async def healthy_clients(http: httpx.AsyncClient, push_url: str, auth: dict, push_app):
    """An SSE and a WebSocket subscriber that must keep working; on exit, the hub is back
    to where it was before (no leaked subscriptions)."""
    state = push_app.state
    baseline = state.hub.subscribers
    async with AsyncExitStack() as stack:
        source = await stack.enter_async_context(httpx_sse.aconnect_sse(
            http, "GET", "events", params={"channel": HEALTHY, "retained": "0"}))
        assert source.response.status_code == 200
        sock = await stack.enter_async_context(
            websockets.connect(ws_url(push_url), additional_headers=auth))
        await sock.send(json.dumps({"op": "subscribe", "channels": [HEALTHY],
                                    "retained": False, "ref": "sub"}))
        healthy = Healthy(http, source.aiter_sse(), sock)
        await healthy.check()
        yield healthy
    for _ in range(100):
        if state.hub.subscribers == baseline and not state.closers:
            break
        await asyncio.sleep(0.05)
    assert state.hub.subscribers == baseline
    assert not state.closers
    hub = state.hub
    assert not hub._wild and not hub._exact  # no subscription left behind
    assert all(set(targets) <= set(hub._watchers) for targets in hub._targets.values())
    connections = getattr(state, "connections", None)
    if connections is not None:
        assert connections.open == 0 and not connections.by_credential


class Healthy:
    def __init__(self, http, events, sock):
        self.http, self.events, self.sock = http, events, sock
        self.n = 0

    async def check(self) -> None:
        """A published event still reaches the healthy SSE and WebSocket subscribers."""
        self.n += 1
        await publish(self.http, HEALTHY, self.n)
        while True:
            msg = await asyncio.wait_for(self.events.__anext__(), TIMEOUT)
            if json.loads(msg.data)["data"] == self.n:
                break
        while True:
            got = json.loads(await asyncio.wait_for(self.sock.recv(), TIMEOUT))
            if any(isinstance(e, dict) and e.get("data") == self.n
                   for e in (got if isinstance(got, list) else [got])):
                break


def no_server_errors(caplog) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors[:5]]


@pytest.fixture
def campaign(driver, http, push_url, auth, push_app, caplog):
    """Runs `check` on EXAMPLES[kind] generated values, in batches, while a healthy SSE and
    WebSocket subscriber must keep being served; then (nearly) every example ran, no
    subscription leaked and the server logged no error. `after` runs before the healthy
    clients close (to close what the checks opened)."""

    async def run(kind: str, strategy: st.SearchStrategy, check: Callable[[Any], Coroutine],
                  after: Callable[[], Coroutine] | None = None) -> None:
        async with healthy_clients(http, push_url, auth, push_app) as healthy:
            for batch in range(BATCHES):
                await driver.fuzz(strategy, check, EXAMPLES[kind], batch)
                await healthy.check()
            if after is not None:
                await after()
        print(f"{kind}:", driver.examples, "examples;", dict(driver.outcomes))
        assert driver.examples >= 0.95 * EXAMPLES[kind]
        no_server_errors(caplog)

    return run


def header_value(driver: Driver, value: str) -> bytes:
    """The generated value with real tokens for the JUPYTER / KERNEL placeholders, as bytes
    a client can send (HTTP allows Latin-1 but no surrounding whitespace)."""
    value = value.replace("JUPYTER", driver.jupyter_token).replace("KERNEL", driver.kernel_token)
    return value.strip(" \t").encode("latin-1")


def is_credential(driver: Driver, authorization: bytes) -> bool:
    """Whether `Authorization` carries the Jupyter or the kernel token, well formed."""
    scheme, _, token = authorization.decode("latin-1").partition(" ")
    return scheme.lower() in ("token", "bearer") and \
        token.strip() in (driver.jupyter_token, driver.kernel_token)


# ---------------------------------------------------------------------- WebSocket


class FuzzSocket:
    """One WebSocket that receives fuzz messages; reopened when the server closes it."""

    def __init__(self, driver: Driver):
        self.driver = driver
        self.sock: Any = None
        self.refs = 0

    async def open(self) -> None:
        self.sock = await websockets.connect(ws_url(self.driver.push_url),
                                             additional_headers=self.driver.auth,
                                             max_size=None)

    async def check(self, message: str | bytes) -> None:
        if self.sock is None:
            await self.open()
        self.refs += 1
        ref = f"sync-{self.refs}"
        try:
            await self.sock.send(message)
            await self.sock.send(json.dumps({"op": "sync", "ref": ref}))
            outcome = "accepted"
            while True:
                reply = json.loads(await asyncio.wait_for(self.sock.recv(), TIMEOUT))
                refs = error_refs(reply)
                if ref in refs:
                    self.driver.outcomes[outcome] += 1
                    return
                if refs:
                    outcome = "error message"
        except websockets.ConnectionClosed as e:
            self.sock = None
            self.driver.outcomes[f"closed {e.rcvd.code if e.rcvd else None}"] += 1
            assert e.rcvd is not None, "the server dropped the socket without a close frame"
            assert e.rcvd.code in WS_CLOSE_CODES or 4000 <= e.rcvd.code < 5000, e.rcvd
            assert e.rcvd.reason, f"close code {e.rcvd.code} without a reason"

    async def close(self) -> None:
        if self.sock is not None:
            await self.sock.close()


def error_refs(reply: Any) -> list[Any]:
    """Assert `reply` is an event, a batch or a control message; returns the refs of the
    error messages in it."""
    refs = []
    for item in reply if isinstance(reply, list) else [reply]:
        assert isinstance(item, dict), reply
        if "op" not in item:
            assert {"id", "channel", "data", "time"} <= item.keys(), item
            continue
        assert item["op"] in ("error", "gap", "ack"), item
        if item["op"] == "error":
            assert isinstance(item["message"], str) and item["message"], item
            refs.append(item.get("ref"))
    return refs


async def test_websocket_survives_generated_messages(driver, campaign):
    fuzz = FuzzSocket(driver)
    await campaign("ws", ws_message, fuzz.check, after=fuzz.close)


# ---------------------------------------------------------------------- HTTP


def acceptable(r: httpx.Response) -> int:
    """Assert a 2xx, or a 4xx saying what was wrong in JSON; returns the status."""
    assert 200 <= r.status_code < 300 or 400 <= r.status_code < 500, (r.status_code, r.text)
    if r.status_code >= 400:
        assert r.headers.get("content-type", "").startswith("application/json"), r.headers
        message = json.loads(r.content).get("message")
        assert isinstance(message, str) and message, r.text
    return r.status_code


async def get_once(http: httpx.AsyncClient, path: str, headers: dict[str, Any]) -> int:
    """One GET; an event stream is only opened, its headers checked, and closed."""
    async with http.stream("GET", path, headers=headers) as r:
        if r.status_code == 200 and path.startswith("events") \
                and b"text/html" not in headers.get("Accept", b""):
            assert r.headers["content-type"].startswith("text/event-stream")
            return 200
        await r.aread()
        return acceptable(r)


async def test_generated_query_strings_get_only_2xx_or_4xx(driver, http, campaign):
    async def check(case: tuple[str, str]) -> None:
        path, qs = case
        driver.outcomes[await get_once(http, f"{path}?{qs}", {})] += 1

    await campaign("query", st.tuples(route, query), check)


async def test_generated_headers_get_only_2xx_or_4xx_and_never_a_redirect(
    driver, push_url, campaign
):
    async with httpx.AsyncClient(base_url=push_url, timeout=TIMEOUT) as bare:

        async def check(case: tuple[str, dict]) -> None:
            path, hdrs = case
            hdrs = {k: header_value(driver, v) for k, v in hdrs.items()}
            bare.cookies.clear()  # a token's login cookie must not sign in the next request
            if path == "events-post":
                r = await bare.post("events", headers=hdrs,
                                    content=b'{"channel": "fuzz/h", "data": 1}')
                status = acceptable(r)
            else:
                status = await get_once(bare, path, hdrs)
            driver.outcomes[status] += 1
            signed_in = is_credential(driver, hdrs["Authorization"])
            assert (status != 401) if signed_in else (status == 401), (status, hdrs)

        routes = st.sampled_from(["events", "channels", "history", "events-post", "status"])
        await campaign("headers", st.tuples(routes, headers), check)


async def test_generated_publish_bodies_get_only_2xx_or_4xx(driver, http, campaign):
    async def check(case: tuple[bytes, str]) -> None:
        content, ctype = case
        r = await http.post("events", content=content, headers={"Content-Type": ctype})
        driver.outcomes[acceptable(r)] += 1
        if r.status_code == 200:
            assert isinstance(r.json()["ids"], list)

    await campaign("body", st.tuples(body, content_type), check)
