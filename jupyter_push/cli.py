"""`jupyter push …`: publish, tail, share, status, notify, snapshot; `serve` runs a push
server.

Exit codes: 0 ok, 1 the server refused (its message is printed), 2 bad arguments,
3 no server found or reachable.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from .channels import check_pattern
from .client.discovery import find_server
from .client.rest import call
from .client.subscriber import Subscription
from .exceptions import HTTPFailure, NoServer, SubscribeError
from .notify import LEVELS, notification
from .reserved import NOTIFY

EXIT_REFUSED, EXIT_USAGE, EXIT_NO_SERVER = 1, 2, 3


def connection_options(default: Any) -> argparse.ArgumentParser:
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--url", default=default, help="the server's push/ URL (default: "
                         "JUPYTER_PUSH_URL, else the newest running server's runtime file)")
    options.add_argument("--token", default=default,
                         help="token (default: JUPYTER_PUSH_TOKEN or the runtime file)")
    return options


def build_parser() -> argparse.ArgumentParser:
    # --url/--token work before or after the command; SUPPRESS keeps a subcommand from
    # overwriting a value given before it.
    common = connection_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="jupyter push", description="Live events for Jupyter.",
                                     parents=[connection_options(None)])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    publish = commands.add_parser("publish", parents=[common], help="publish one event")
    publish.add_argument("channel")
    publish.add_argument("json", help='the data, as JSON (e.g. 40, \'"text"\', \'{"a": 1}\')')

    tail = commands.add_parser("tail", parents=[common], help="print events, one JSON per line")
    tail.add_argument("patterns", nargs="*", metavar="PATTERN", help="default: ** (all)")
    tail.add_argument("--since", help="start after this event id")
    tail.add_argument("--no-retained", dest="retained", action="store_false",
                      help="skip the channels' latest values; only new events")
    tail.add_argument("--count", type=int, help="stop after N events")

    share = commands.add_parser("share", parents=[common],
                                help="print a share URL (read-only unless --write)")
    share.add_argument("patterns", nargs="+", metavar="PATTERN")
    share.add_argument("--ttl", type=float, default=3600, help="seconds (default 3600)")
    share.add_argument("--write", action="append", default=[], metavar="PATTERN",
                       help="the link may also send values to the controls matching PATTERN "
                       "(repeatable; each within the link's channels)")

    commands.add_parser("status", parents=[common], help="print the server's status")

    notify = commands.add_parser("notify", parents=[common],
                                 help="send a notification ($notify): a toast in JupyterLab")
    notify.add_argument("message")
    notify.add_argument("--level", default="info", choices=LEVELS)
    notify.add_argument("--channel", default=NOTIFY, help=f"default {NOTIFY}")

    snapshot = commands.add_parser(
        "snapshot", parents=[common],
        help="save channels' tiles and history as one offline HTML file",
    )
    snapshot.add_argument("patterns", nargs="+", metavar="PATTERN")
    snapshot.add_argument("-o", "--output", default="run.html", help="default run.html")
    snapshot.add_argument("--limit", type=int, default=1000,
                          help="events per channel (default 1000)")
    snapshot.add_argument("--title", default="", help="the page's title")
    snapshot.add_argument("--overlay", action="append", default=[], metavar="PATTERN",
                          help="one chart comparing the channels PATTERN matches, a series each "
                               "(runs/*/loss); repeatable")

    serve = commands.add_parser(
        "serve", help="run a standalone push server (--port N, --broker-url URL; --help-all)"
    )
    serve.add_argument("options", nargs=argparse.REMAINDER, help="Jupyter server options")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # its options are the Jupyter server's (traitlets), not ours
        from .serve import main as serve

        serve(argv[1:])
        return 0
    args = build_parser().parse_args(argv)
    try:
        return int(COMMANDS[args.command](args) or 0)
    except NoServer as e:
        return fail(EXIT_NO_SERVER, str(e))
    except (HTTPFailure, SubscribeError) as e:
        return fail(EXIT_REFUSED, str(e))
    except KeyboardInterrupt:
        return 130


def fail(code: int, message: str) -> int:
    print(f"jupyter push: {message}", file=sys.stderr)
    return code


def publish(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.json)
    except ValueError as e:
        return fail(EXIT_USAGE, f"JSON argument is not valid JSON ({e}); quote strings: "
                    "'\"text\"'")
    answer = call(find_server(args.url, args.token), "POST", "events",
                  {"channel": args.channel, "data": data})
    print(answer["ids"][0])
    return 0


def tail(args: argparse.Namespace) -> int:
    if args.count is not None and args.count <= 0:
        return 0
    seen = 0
    with Subscription(args.patterns, since=args.since, retained=args.retained,
                      url=args.url, token=args.token) as subscription:
        for event in subscription:
            print(json.dumps(event), flush=True)
            if "op" not in event:
                seen += 1
                if args.count is not None and seen >= args.count:
                    break
    return 0


def share(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"channels": args.patterns, "ttl": args.ttl}
    if args.write:
        body["write"] = args.write
    answer = call(find_server(args.url, args.token), "POST", "tokens", body)
    print(answer["url"])
    return 0


def status(args: argparse.Namespace) -> int:
    print(json.dumps(call(find_server(args.url, args.token), "GET", "status"), indent=2))
    return 0


def notify(args: argparse.Namespace) -> int:
    try:
        data = notification(args.message, args.level)
    except ValueError as e:
        return fail(EXIT_USAGE, str(e))
    answer = call(find_server(args.url, args.token), "POST", "events",
                  {"channel": args.channel, "data": data})
    print(answer["ids"][0])
    return 0


def snapshot(args: argparse.Namespace) -> int:
    from .snapshot import fetch_snapshot, snapshot_page

    if args.limit <= 0:
        return fail(EXIT_USAGE, "--limit must be a positive number of events")
    for pattern in args.overlay:
        check_pattern(pattern)
    board = fetch_snapshot(find_server(args.url, args.token), args.patterns, limit=args.limit,
                           title=args.title, overlays=args.overlay)
    if not board["cards"]:
        return fail(EXIT_REFUSED, f"no channel matches {' '.join(args.patterns)}")
    with open(args.output, "w", encoding="utf-8") as out:
        out.write(snapshot_page(board))
    events = sum(len(c["events"]) for c in board["cards"])
    print(f"{args.output}: {len(board['cards'])} channels, {events} events")
    return 0


COMMANDS: dict[str, Any] = {"publish": publish, "tail": tail, "share": share, "status": status,
                            "notify": notify, "snapshot": snapshot}


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
