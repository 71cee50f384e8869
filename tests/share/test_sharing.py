"""`jupyter_push.share()` from Python: the link it returns and how a notebook shows it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import pytest

import jupyter_push
from jupyter_push.sharing import ShareLink, share_html


async def test_share_returns_a_read_only_link_for_its_channels(
    push_url, kernel_token, anonymous_get
):
    link = await asyncio.to_thread(
        jupyter_push.share, "train/**", "progress", ttl=60, url=push_url, token=kernel_token
    )
    assert isinstance(link, str) and isinstance(link, ShareLink)
    assert parse_qs(urlsplit(link).query)["channel"] == ["train/**", "progress"]
    assert kernel_token not in link
    assert link.patterns == ("train/**", "progress")
    assert (await anonymous_get(link.replace("/events?", "/channels?"))).status_code == 200


async def test_share_shows_a_link_and_a_qr_code_in_a_notebook(push_url, kernel_token):
    pytest.importorskip("segno")
    link = await asyncio.to_thread(jupyter_push.share, "progress", url=push_url, token=kernel_token)
    bundle = link._repr_mimebundle_()
    assert bundle["text/plain"] == link
    page = bundle["text/html"]
    assert f'href="{link.replace("&", "&amp;")}"' in page
    assert "<svg" in page and "read-only" in page


def test_share_html_escapes_what_it_shows():
    page = share_html('http://h/push/events?access=a"b&channel=<x>', ("<x>",), 0)
    assert "<x>" not in page and "&lt;x&gt;" in page and 'a"b' not in page


def test_importing_jupyter_push_loads_neither_jwt_nor_segno():
    code = "import sys, jupyter_push; print(sorted({'jwt', 'segno'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.fixture
def anonymous_get(jp_asyncio_loop):
    import httpx

    client = httpx.AsyncClient(timeout=10)
    yield client.get
    jp_asyncio_loop.run_until_complete(client.aclose())
