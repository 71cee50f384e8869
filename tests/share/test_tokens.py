"""Share tokens without a server: scope containment, signing, expiry, revocation, the key file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jupyter_push.channels import matches
from jupyter_push.exceptions import AuthError, InvalidInput
from jupyter_push.tokens import AUDIENCE, KeyFile, ShareTokens, pattern_covers, share_url, uncovered

NOW = 1_763_790_000.0
# (granted, requested) → covered: the same cases as the viewer's patternCovers (node tests)
PATTERN_COVERS = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "pattern_covers.json").read_text())


@pytest.mark.parametrize(
    ("granted", "requested", "covered"),
    [(c["granted"], c["requested"], c["covered"]) for c in PATTERN_COVERS["cases"]],
)
def test_pattern_covers_only_what_the_grant_matches(granted, requested, covered):
    assert pattern_covers(granted, requested) is covered


def test_uncovered_lists_the_requested_patterns_outside_the_grant():
    assert uncovered(["public/**", "progress"], ["progress", "public/x", "secret"]) == ["secret"]
    assert uncovered(["a"], []) == []


segment = st.sampled_from(["a", "b", "c", "$r"])
pattern_segment = st.sampled_from(["a", "b", "*"])


@st.composite
def patterns(draw):
    segs = draw(st.lists(pattern_segment, min_size=1, max_size=3))
    if draw(st.booleans()):
        segs.append("**")
    return "/".join(segs)


@st.composite
def channels(draw):
    first = draw(segment)
    rest = draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=4))
    return "/".join([first, *rest])


@given(patterns(), patterns(), st.lists(channels(), min_size=1, max_size=20))
def test_a_covered_pattern_never_matches_a_channel_the_grant_does_not(granted, requested, names):
    if pattern_covers(granted, requested):
        for name in names:
            if matches(requested, name):
                assert matches(granted, name), (granted, requested, name)


def tokens(tmp_path, max_ttl=3600.0, secret=""):
    return ShareTokens(KeyFile(tmp_path / "share.json", secret), max_ttl)


def test_a_minted_token_grants_its_patterns_until_it_expires(tmp_path):
    t = tokens(tmp_path)
    token, expires = t.mint(["progress", "train/**"], 60)
    grant = t.verify(token)
    assert grant.allowed.patterns == ("progress", "train/**")
    assert expires - 60 <= grant.expires <= expires


def test_an_expired_token_is_refused_with_a_message(tmp_path):
    t = tokens(tmp_path)
    token, _ = t.mint(["progress"], 60, now=NOW)
    with pytest.raises(AuthError, match="expired") as e:
        t.verify(token)
    assert e.value.status == 401


def test_revoking_refuses_every_earlier_token_but_not_later_ones(tmp_path):
    t = tokens(tmp_path)
    old, _ = t.mint(["progress"], 60)
    t.revoke_all()
    with pytest.raises(AuthError, match="revoked"):
        t.verify(old)
    new, _ = t.mint(["progress"], 60)
    assert t.verify(new).allowed.patterns == ("progress",)


@pytest.mark.parametrize(
    "forge",
    [
        lambda good, secret: good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
        lambda good, secret: jwt.encode(
            {"aud": AUDIENCE, "exp": 2e9, "ch": ["**"], "gen": 0}, "x" * 48, algorithm="HS256"
        ),
        lambda good, secret: jwt.encode(
            {"aud": AUDIENCE, "exp": 2e9, "ch": ["**"], "gen": 0}, None, algorithm="none"
        ),
        lambda good, secret: jwt.encode(
            {"aud": "someone-else", "exp": 2e9, "ch": ["**"], "gen": 0}, secret, algorithm="HS256"
        ),
        lambda good, secret: jwt.encode({"aud": AUDIENCE, "ch": ["**"], "gen": 0}, secret,
                                        algorithm="HS256"),
        lambda good, secret: "not-a-token",
    ],
    ids=["tampered", "foreign-secret", "alg-none", "other-audience", "no-expiry", "garbage"],
)
def test_forged_tokens_are_refused(tmp_path, forge):
    t = tokens(tmp_path)
    good, _ = t.mint(["progress"], 60)
    with pytest.raises(AuthError) as e:
        t.verify(forge(good, t.keys.current().secret))
    assert e.value.status == 401


@pytest.mark.parametrize(
    ("channels", "ttl", "problem"),
    [
        ([], 60, "non-empty"),
        ("progress", 60, "non-empty list"),
        (["bad pattern"], 60, "segment"),
        (["progress"], 0, "positive"),
        (["progress"], "60", "positive"),
        (["progress"], 10_000, "longer than this server allows"),
    ],
)
def test_minting_refuses_bad_arguments_with_a_readable_message(tmp_path, channels, ttl, problem):
    with pytest.raises(InvalidInput, match=problem):
        tokens(tmp_path).mint(channels, ttl)


def test_the_generated_secret_persists_privately_so_links_survive_a_restart(tmp_path):
    first = tokens(tmp_path)
    token, _ = first.mint(["progress"], 60)
    path = tmp_path / "share.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    restarted = tokens(tmp_path)
    assert restarted.verify(token).allowed.patterns == ("progress",)


def test_a_revocation_by_another_process_is_seen_without_a_restart(tmp_path):
    server_a, server_b = tokens(tmp_path), tokens(tmp_path)
    token, _ = server_a.mint(["progress"], 60)
    server_b.revoke_all()
    os.utime(tmp_path / "share.json", (NOW, NOW))  # a distinct mtime even on coarse clocks
    with pytest.raises(AuthError, match="revoked"):
        server_a.verify(token)


def test_a_configured_secret_is_used_and_never_written_to_disk(tmp_path):
    secret = "s" * 40
    t = tokens(tmp_path, secret=secret)
    token, _ = t.mint(["progress"], 60)
    jwt.decode(token, secret, algorithms=["HS256"], audience=AUDIENCE)
    assert "secret" not in json.loads((tmp_path / "share.json").read_text())


def test_a_short_configured_secret_is_refused(tmp_path):
    with pytest.raises(ValueError, match="at least 32 bytes"):
        tokens(tmp_path, secret="short")


def test_share_url_carries_only_the_share_token_and_channels():
    url = share_url("http://h:1/base/push/", "T.K.N", ["train/**", "progress"])
    assert url == "http://h:1/base/push/events?access=T.K.N&channel=train/**&channel=progress"


def test_scrub_query_hides_credentials_in_logged_urls():
    from jupyter_push.handlers.base import scrub_query

    keys = ("token", "access")
    assert scrub_query("/push/events?access=abc&channel=x&token=t", keys) == (
        "/push/events?access=[secret]&channel=x&token=[secret]"
    )
    assert scrub_query("/push/events", keys) == "/push/events"


def test_an_unwritable_key_file_keeps_links_working_in_memory_and_says_why(tmp_path):
    (tmp_path / "not-a-dir").write_text("")
    keys = KeyFile(tmp_path / "not-a-dir" / "share.json")
    t = ShareTokens(keys, 3600)
    token, _ = t.mint(["progress"], 60)
    assert t.verify(token).allowed.patterns == ("progress",)
    assert keys.write_error and "cannot write" in keys.write_error
    t.revoke_all()
    with pytest.raises(AuthError, match="revoked"):
        t.verify(token)
