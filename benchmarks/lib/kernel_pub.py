"""A stand-in for a kernel: `push()` from a plain Python process, as notebook code does.

Run as `kernel_pub.py CHANNEL N RATE`; the server is found through JUPYTER_PUSH_URL and
JUPYTER_PUSH_TOKEN. Pushes N events `{"seq": i, "t": time.time()}`, RATE per second (paced in
steps of 1,000 events above 1,000/s), then waits until they reached the server and prints
`{"started": <time.time() of the first push>, "pushed": N, "flushed": bool}`.
"""

from __future__ import annotations

import json
import sys
import time

from jupyter_push import push
from jupyter_push.client.api import flush, get_publisher


def main() -> None:
    channel, n, rate = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    get_publisher()
    push(channel + "/warmup", 0)  # connect before the clock starts
    flush(10)
    step = 1000 if rate > 1000 else 1
    started = time.time()
    begin = time.monotonic()
    for i in range(n):
        if i % step == 0:
            delay = begin + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        push(channel, {"seq": i, "t": time.time()})
    flushed = flush(60)
    print(json.dumps({"started": started, "pushed": n, "flushed": flushed}), flush=True)


if __name__ == "__main__":
    main()
