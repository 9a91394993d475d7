"""``python -m postcore.testing``: a local postcore server in the foreground, for manual use
and for other languages' tests.

Prints its URL on the first line of stdout (then, on stderr, the dashboard's, the accepted key
masked with where it came from, and how to move its clock) and serves on 127.0.0.1 until
Ctrl-C (or SIGTERM).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import signal
import socket
import sys
from types import FrameType

from .._postcore import _describe_mock_key
from . import DEFAULT_API_KEY, MockServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m postcore.testing",
        description="Run a local postcore server (in memory, on 127.0.0.1) until Ctrl-C.",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="port on 127.0.0.1 (default 0: any free port)"
    )
    parser.add_argument(
        "--api-key",
        default=None,
        help=f"the accepted x-api-key (default $POSTCORE_API_KEY, else {DEFAULT_API_KEY})",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        metavar="N",
        help="answer 429 past N requests per window (default: only report 100)",
    )
    parser.add_argument(
        "--rate-window",
        type=int,
        default=900,
        metavar="S",
        help="rate-limit window in seconds on the server's clock (default 900)",
    )
    parser.add_argument(
        "--posts-per-month",
        type=int,
        default=10,
        metavar="N",
        help="monthly post quota (default 10)",
    )
    return parser


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _wait_for_a_signal() -> None:
    """Sleep until a signal arrives, whichever thread the kernel delivers it to.

    A plain ``time.sleep`` in the main thread is only interrupted when the signal lands on
    the main thread; the wakeup socket is written by the C-level handler on any thread, so
    the main thread wakes and runs the Python handler (which raises ``KeyboardInterrupt``).
    """
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    previous = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    try:
        while True:
            select.select([reader], [], [])
            with contextlib.suppress(BlockingIOError):
                reader.recv(512)
    finally:
        signal.set_wakeup_fd(previous)
        reader.close()
        writer.close()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.api_key is not None:
        api_key, origin = args.api_key, "flag"
    elif os.environ.get("POSTCORE_API_KEY"):
        api_key, origin = os.environ["POSTCORE_API_KEY"], "POSTCORE_API_KEY"
    else:
        api_key, origin = DEFAULT_API_KEY, "default"
    try:
        server = MockServer(
            api_key=api_key,
            port=args.port,
            rate_limit=args.rate_limit,
            rate_window=args.rate_window,
            posts_per_month=args.posts_per_month,
        ).start()
    except (OSError, TypeError, ValueError) as e:
        print(f"python -m postcore.testing: {e}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(server.base_url, flush=True)
        # The key masked: one from the environment may be a real one.
        print(
            f"postcore mock server on {server.base_url} (Ctrl-C to stop)\n"
            f"dashboard at {server.dashboard_url}\n"
            f"{_describe_mock_key(api_key, origin)}\n"
            f"move its clock: POST {server.base_url}/__mock/advance "
            '{"seconds": 3600} (or `postcore mock advance 1h`)',
            file=sys.stderr,
            flush=True,
        )
        _wait_for_a_signal()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    print("stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
