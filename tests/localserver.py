"""What every local server of the tests and benches shares: a server on 127.0.0.1 at a free port,
serving from a daemon thread for the length of a `with` block, and a handler that answers quietly."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    def __init__(self, handler, server_class=ThreadingHTTPServer):
        self.server = server_class(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True  # a client that keeps its connection open does not hold up shutdown
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """No access log on the test's output; `reply` writes a whole answer, with its length."""

    def log_message(self, *args):
        pass

    def reply(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
