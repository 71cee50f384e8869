"""Who is publishing: the kernel id and notebook path the server records as an event's source.

Read from the running ipykernel, else from the kernel's `-f kernel-<id>.json` argument, and
from `JPY_SESSION_NAME` (a path on the server's disk when JupyterLab made the session: the
kernel cannot tell the server's root from the folders below it, so the server makes it the
contents API's path, server/sources.py). Used by the publisher and by the widgets (to tell
their own kernel's events apart).
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

_KERNEL_FILE = re.compile(r"kernel-(.+)\.json\Z")


def kernel_source() -> dict[str, Any]:
    """What the server should record as the publisher: kernel id and notebook path, if known."""
    source: dict[str, Any] = {}
    kernel = _kernel_id()
    if kernel:
        source["kernel"] = kernel
    path = os.environ.get("JPY_SESSION_NAME")
    if path:
        source["path"] = path
    return source


def _kernel_id() -> str | None:
    candidates = []
    # Only a kernel that runs here has imported its app; importing it ourselves would also
    # import ipykernel.ipkernel, which replaces the `comm` package's comm manager for the whole
    # process (widgets made before then could no longer be closed).
    kernelapp = sys.modules.get("ipykernel.kernelapp")
    if kernelapp is not None:
        try:
            app = kernelapp.IPKernelApp
            if app.initialized():
                candidates.append(app.instance().connection_file)
        except Exception:
            pass
    argv = sys.argv
    candidates += [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg in ("-f", "--f")]
    candidates += [arg.split("=", 1)[1] for arg in argv if arg.startswith(("-f=", "--f="))]
    for candidate in candidates:
        match = _KERNEL_FILE.match(os.path.basename(candidate or ""))
        if match:
            return match.group(1)
    return None


def current_cell(info: Any = None) -> dict[str, Any]:
    """The notebook cell running now: `{"cell": id, "execution_count": n}` (whichever are
    known). The id is what JupyterLab sends as `cellId` in the execute request's metadata;
    `info` is IPython's pre_run_cell argument, which carries it too."""
    if "IPython" not in sys.modules:
        return {}
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:
        return {}
    if shell is None:
        return {}
    cell: dict[str, Any] = {}
    cell_id = getattr(info, "cell_id", None)
    if not cell_id:
        try:
            parent = shell.kernel.get_parent()
            cell_id = (parent.get("metadata") or {}).get("cellId")
        except Exception:
            cell_id = None
    if cell_id:
        cell["cell"] = str(cell_id)
    # `In` holds the cell's input at its execution count (the shell's own counter has
    # already moved on to the next cell in recent IPython versions)
    count = len(shell.user_ns.get("In") or ()) - 1
    if isinstance(count, int) and count > 0:
        cell["execution_count"] = count
    return cell
