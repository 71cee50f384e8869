"""docs/PROTOCOL.md and the README stay in step with the code: every route the server
registers, every WebSocket op and op field, every close code is in the protocol document;
every PushApp option is in the README's configuration tables."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from jupyter_push import _protocol
from jupyter_push.app import PushApp
from jupyter_push.handlers import default_handlers

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = (ROOT / "docs" / "PROTOCOL.md").read_text()
README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("route", [pattern for pattern, _ in default_handlers])
def test_every_route_is_documented(route):
    path = route.lstrip("/").replace("\\.", ".")
    assert f"{{base}}{path}" in PROTOCOL


OPS = [_protocol.SubscribeOp, _protocol.UnsubscribeOp, _protocol.PublishOp, _protocol.AckOp,
       _protocol.ErrorOp, _protocol.GapOp]


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
def test_every_op_and_its_fields_are_documented(op):
    name = typing.get_args(typing.get_type_hints(op)["op"])[0]
    assert f'{{"op": "{name}"' in PROTOCOL
    for field in op.__annotations__:
        assert f'"{field}"' in PROTOCOL or f"`{field}`" in PROTOCOL, field


def test_the_op_names_are_exactly_the_typed_ones():
    named = {typing.get_args(typing.get_type_hints(op)["op"])[0] for op in OPS}
    assert named == {*_protocol.CLIENT_OPS, *_protocol.SERVER_OPS}
    assert set(re.findall(r'\{"op": "(\w+)"', PROTOCOL)) == named


@pytest.mark.parametrize("code", list(_protocol.CloseCode))
def test_every_close_code_is_documented(code):
    assert re.search(rf"^\| {int(code)} \|", PROTOCOL, re.M)


@pytest.mark.parametrize("option", sorted(PushApp.class_own_traits(config=True)))
def test_every_option_is_in_the_readme_configuration_tables(option):
    assert re.search(rf"^\| `PushApp\.{option}` \|", README, re.M)


PACKAGE = ROOT / "jupyter_push"
MODULES = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if p.name != "__init__.py" and "labextension" not in p.parts)


@pytest.mark.parametrize("module", MODULES)
def test_the_readme_layout_names_every_module_and_each_says_what_it_is_for(module):
    layout = README.split("### Module layout", 1)[1].split("\n## ", 1)[0]
    assert f"`{Path(module).name}`" in layout
    assert (PACKAGE / module).read_text().startswith('"""'), "a module docstring first"
