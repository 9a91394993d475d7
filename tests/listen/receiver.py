"""A webhook receiver for `postcore listen --forward-to`, in Python: every delivery is checked
with `postcore.webhooks.verify`, and chosen attempts fail on purpose.

    receiver.py LOG

Reads the secret from POSTCORE_WEBHOOK_SECRET and the failures from RECEIVER_FAILURES
(`2:500,3:500,5:close`: attempt 2 and 3 get a 500, attempt 5 sees the connection closed
unanswered). Prints its URL on the first line of stdout, then appends one JSON line per
attempt to LOG: `{"attempt", "id", "type", "verified", "error", "answer", "body"}`. A delivery
that does not verify is answered 400 (and logged as such).
"""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import postcore.webhooks

SECRET = os.environ["POSTCORE_WEBHOOK_SECRET"]
FAILURES = dict(
    (int(n), answer)
    for n, _, answer in (
        item.partition(":") for item in os.environ.get("RECEIVER_FAILURES", "").split(",") if item
    )
)
LOG = sys.argv[1]
lock = threading.Lock()
attempts = 0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        global attempts
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        header = self.headers.get("postcore-signature", "")
        entry: dict[str, object] = {"body": body.decode("utf-8", "replace")}
        try:
            event = postcore.webhooks.verify(body, header, SECRET)
            entry.update(id=event.id, type=event.type, verified=True, error=None)
        except Exception as error:
            entry.update(
                id=None,
                type=None,
                verified=False,
                error=f"{type(error).__name__}: {error}",
            )
        with lock:
            attempts += 1
            entry["attempt"] = attempts
            answer = FAILURES.get(attempts, "200") if entry["verified"] else "400"
            entry["answer"] = answer
            with open(LOG, "a", encoding="utf-8") as log:
                log.write(json.dumps(entry) + "\n")
        if answer == "close":
            self.close_connection = True
            return
        text = b"ok" if answer == "200" else b"not now"
        self.send_response(int(answer))
        self.send_header("content-type", "text/plain")
        self.send_header("content-length", str(len(text)))
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(text)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}/webhooks/postcore", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
