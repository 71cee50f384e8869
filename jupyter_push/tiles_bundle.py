"""The tile library as one script: its ES modules (`static/tiles/*.js`) joined into a single
module, for places that cannot import sibling files (a widget's ESM, a snapshot file) and for
`GET push/tiles.js`.

The modules follow two rules that make joining them safe: they import only
`import { a, b as c } from './x.js';` and export only `export function|class|const NAME` (the
entry may also re-export `export { a } from './x.js';` and have an `export default`). Each module
becomes a function scope returning its exports, so module-private names never collide.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Callable

from .exceptions import PushError

TILES = Path(__file__).parent / "static" / "tiles"

_IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([\w-]+)\.js';[ \t]*$", re.M)
_REEXPORT = re.compile(r"^export \{([^}]*)\} from '\./([\w-]+)\.js';[ \t]*$", re.M)
_DECLARATION = re.compile(
    r"^export (?=(?:async )?(?:function\*?|class|const|let) ([A-Za-z_$][\w$]*))", re.M
)
_DEFAULT = re.compile(r"^export default ", re.M)
_OTHER = re.compile(r"^(?:import|export)\b.*$", re.M)


class BundleError(PushError, ValueError):
    """A module uses an import or export form the bundler does not join."""


def _names(spec: str) -> list[tuple[str, str]]:
    """`a, b as c` → [("a", "a"), ("b", "c")] (imported name, local name)."""
    pairs = []
    for part in spec.split(","):
        part = part.strip()
        if part:
            name, _, alias = part.partition(" as ")
            pairs.append((name.strip(), (alias or name).strip()))
    return pairs


def _destructure(pairs: list[tuple[str, str]], module: str) -> str:
    inner = ", ".join(name if name == local else f"{name}: {local}" for name, local in pairs)
    return f"const {{ {inner} }} = {_var(module)};"


def _var(module: str) -> str:
    return "__tiles_" + re.sub(r"\W", "_", module)


def _transform(
    module: str, source: str, *, entry: bool, resolve: Callable[[str], str] = lambda n: n
) -> tuple[str, list[str], list[str]]:
    """A module's body as a function scope: (code, its dependencies as imported, its export
    names); `resolve` names the variable of an imported module."""
    deps: list[str] = []
    exports: list[str] = []

    def imported(match: re.Match[str]) -> str:
        deps.append(match.group(2))
        return _destructure(_names(match.group(1)), resolve(match.group(2)))

    def reexported(match: re.Match[str]) -> str:
        deps.append(match.group(2))
        pairs = _names(match.group(1))
        exports.extend(local for _, local in pairs)
        return _destructure(pairs, resolve(match.group(2)))

    def declared(match: re.Match[str]) -> str:
        exports.append(match.group(1))
        return ""

    body = _IMPORT.sub(imported, source)
    body = _REEXPORT.sub(reexported, body)
    body = _DECLARATION.sub(declared, body)
    if _DEFAULT.search(body):
        if not entry:
            raise BundleError(f"{module}.js: only the entry module may have an export default")
        body = _DEFAULT.sub("const __default = ", body)
        exports.append("__default")
    stray = _OTHER.search(body)
    if stray:
        raise BundleError(f"{module}.js: unsupported module syntax: {stray.group(0)!r}")
    code = f"const {_var(module)} = (() => {{\n{body}\nreturn {{ {', '.join(exports)} }};\n}})();\n"
    return code, deps, exports


def bundle(entry: Path) -> str:
    """One ES module with `entry` and every module it imports. An import resolves in the
    importing module's folder; `./tiles.js` from outside the library is the library's index."""
    done: list[Path] = []
    codes: dict[Path, str] = {}
    exports: list[str] = []

    def resolve(name: str, folder: Path) -> Path:
        path = folder / f"{name}.js"
        if folder != TILES and name == "tiles":
            path = TILES / "index.js"
        if not path.is_file():
            raise BundleError(f"module not found: {path.name} (imported from {folder.name}/)")
        return path

    def key(path: Path) -> str:
        return ("tiles_" if path.parent == TILES else "entry_") + path.stem

    def visit(path: Path, stack: tuple[Path, ...], is_entry: bool) -> None:
        if path in done:
            return
        if path in stack:
            raise BundleError(f"import cycle: {' → '.join(p.name for p in (*stack, path))}")
        source = path.read_text(encoding="utf-8")
        code, deps, names = _transform(
            key(path), source, entry=is_entry, resolve=lambda n: key(resolve(n, path.parent))
        )
        for dep in deps:
            visit(resolve(dep, path.parent), (*stack, path), False)
        done.append(path)
        codes[path] = code
        if is_entry:
            exports.extend(names)

    visit(entry, (), True)
    named = [n for n in exports if n != "__default"]
    entry_var = _var(key(entry))
    tail = f"export const {{ {', '.join(named)} }} = {entry_var};\n" if named else ""
    if "__default" in exports:
        tail += f"export default {entry_var}.__default;\n"
    return "// jupyter_push tiles (joined from static/tiles/*.js)\n" + "".join(
        codes[p] for p in done
    ) + tail


@cache
def tiles_script() -> str:
    """The whole library (`static/tiles/index.js` and its imports) as one module."""
    return bundle(TILES / "index.js")
