"""The host under push load, on its own: `GET api/contents` latency and a second kernel's
`1 + 1` round trip, idle and while one kernel pushes at 10,000 / 50,000 / as fast as it can
events/s to 20 SSE subscribers, jupyter_push at its defaults (connection limits aside).

    python benchmarks/host_load.py            # 5 s per phase
    python benchmarks/host_load.py --quick    # 2 s per phase, 100,000 events as fast as possible
    python benchmarks/host_load.py --smoke    # seconds; small rates (tests)

Prints the markdown section (also part of RESULTS.md when `benchmarks/run.py` runs) and, with
`--json FILE`, writes the raw rows. The method is in `lib/host_load.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib import host_load
from lib.servers import PUSH_SETTINGS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="2 s per phase")
    mode.add_argument("--smoke", action="store_true", help="a few seconds, small rates")
    parser.add_argument("--json", type=Path, help="also write the raw rows here")
    parser.add_argument("--push-source", metavar="DIR",
                        help="import jupyter_push from this checkout (to compare two versions)")
    parser.add_argument("--probe-interval", type=float, metavar="SECONDS",
                        help="seconds between two requests of each probe (default 0.02; "
                             "longer: requests that find the server quiet between them)")
    parser.add_argument("--seconds", type=float,
                        help="length of the idle phase and of each paced phase")
    parser.add_argument("--fast-events", type=int, metavar="N",
                        help="events pushed in the as-fast-as-possible phase")
    args = parser.parse_args()
    profile = host_load.PROFILES["smoke" if args.smoke else "quick" if args.quick else "full"]
    if args.probe_interval is not None:
        profile = dataclasses.replace(profile, probe_interval=args.probe_interval)
    if args.fast_events is not None:
        profile = dataclasses.replace(profile, fast_events=args.fast_events)
    if args.seconds is not None:
        profile = dataclasses.replace(profile, seconds=args.seconds)
    rows: list[dict[str, Any]] = []

    def save() -> None:
        if args.json:
            args.json.write_text(json.dumps(rows))

    def log(*parts: Any) -> None:
        print(*parts, file=sys.stderr, flush=True)

    asyncio.run(host_load.run(profile, rows, save, args.push_source, log))
    settings = ("jupyter_push settings: its defaults, except "
                + " ".join(f"`{s}`" for s in PUSH_SETTINGS) + ".")
    print(host_load.section(rows, settings))
    return 0 if all(host_load.outcome(r) != "SILENT LOSS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
