"""A news site on 127.0.0.1 that misbehaves the way real sites do, on real sockets: redirect
chains, meta-refresh and JavaScript "跳转中" stubs, maintenance windows (503/429 with
Retry-After), connections reset with SO_LINGER 0, bodies cut short with and without
Content-Length, UTF-8 pages served as ISO-8859-1, and floods of response headers.

Faults are set per path: `site.fault(path, answer)` where `answer(handler, hit)` writes the whole
answer itself (hit = how many times the path was requested, from 1) and returns True, or returns
False to let the normal routes answer this time (a 503 window that ends).
"""
from __future__ import annotations

import hashlib
import socket
import struct
from email.utils import formatdate
from typing import Callable

from tests.localserver import LocalServer
from tests.sitekit import NewsSite

Answer = Callable[[object, int], bool]


class FaultSite(NewsSite):
    def __init__(self):
        super().__init__()
        self.faults: dict[str, Answer] = {}
        # a client hanging up on a reset or an endless body is the point here, not an error to print
        self.server.handle_error = lambda request, client_address: None

    def fault(self, path: str, answer: Answer) -> None:
        self.faults[path] = answer

    def intercept(self, handler, path: str) -> bool:
        answer = self.faults.get(path)
        return bool(answer and answer(handler, self.hits[path]))

    def list_body(self, number: int = 1) -> bytes:
        with self.lock:
            return self.list_page(number)


def send(handler, status: int, body: bytes = b"", headers: dict | None = None, length: bool = True) -> None:
    handler.send_response(status)
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    if length:
        handler.send_header("Content-Length", str(len(body)))
    else:
        handler.close_connection = True
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


def reset(handler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0): what a crashing proxy or a load balancer does."""
    handler.wfile.flush()
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True
    handler.wfile = handler.rfile = _Discard()


class _Discard:
    """Stands in for the closed socket's files so the server's own clean-up does not raise."""

    closed = True

    def write(self, data):
        return len(data)

    def flush(self):
        pass

    def close(self):
        pass

    def readline(self, *args):
        return b""

    def read(self, *args):
        return b""


# -- answers --------------------------------------------------------------------------------

def redirect(location: str, status: int = 302, body: bytes = b"") -> Answer:
    def answer(handler, hit):
        send(handler, status, body, {"Location": location, "Content-Type": "text/html"})
        return True
    return answer


def html(body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200,
         headers: dict | None = None) -> Answer:
    def answer(handler, hit):
        send(handler, status, body, {"Content-Type": content_type, **(headers or {})})
        return True
    return answer


def unavailable(times: int, status: int = 503, retry_after: str | None = "120") -> Answer:
    """The first `times` requests get a maintenance page; later ones are answered normally."""
    def answer(handler, hit):
        if hit > times:
            return False
        headers = {"Content-Type": "text/html; charset=utf-8", **({"Retry-After": retry_after} if retry_after else {})}
        send(handler, status, "<html><body><h1>系统维护中</h1></body></html>".encode(), headers)
        return True
    return answer


def cut_short(body: bytes, *, content_length: bool, keep: float = 0.5, times: int = 10**9,
              headers: dict | None = None) -> Answer:
    """Send part of the body, then reset the connection. With content_length the header promises
    the whole body (Scrapy sees data loss); without, the end of the body is the end of the connection."""
    def answer(handler, hit):
        if hit > times:
            return False
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        if content_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: int(len(body) * keep)])
        reset(handler)
        return True
    return answer


def reset_at_once(times: int = 10**9) -> Answer:
    def answer(handler, hit):
        if hit > times:
            return False
        reset(handler)
        return True
    return answer


def truncated_list(site: FaultSite, number: int = 1, keep: float = 0.5, times: int = 1) -> Answer:
    """A list page with an ETag, cut short mid-list by a reset (no Content-Length)."""
    def answer(handler, hit):
        if hit > times:
            return False
        body = site.list_body(number)
        etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
        return cut_short(body, content_length=False, keep=keep,
                         headers={"ETag": etag, "Last-Modified": formatdate(site.changed_at, usegmt=True)})(handler, hit)
    return answer


def pad_lines(n: int) -> bytes:
    return (b"X-Pad: " + b"a" * 57 + b"\r\n") * 1024


def cookie_lines(n: int) -> bytes:  # a cookie loop: every line a new cookie
    return b"".join(b"Set-Cookie: c%d=%s; Path=/\r\n" % (n * 1024 + i, b"v" * 40) for i in range(1024))


def interim_lines(n: int) -> bytes:
    return b"HTTP/1.1 100 Continue\r\n\r\n" * 1024


def header_flood(sent: dict, total: int, body: bytes, lines=pad_lines, flooding=lambda: True):
    """Headers from a real socket: `total` bytes of `lines(n)` (header lines, or `100 Continue`
    interim responses), then `body`. `sent[path]` counts what was written before the client hung up."""
    interim = lines is interim_lines

    def answer(handler, hit):
        path = handler.path
        if not flooding():
            return False
        sent[path] = 0
        try:
            handler.wfile.write(b"" if interim else b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n")
            n = 0
            while sent[path] < total:
                unit = lines(n)
                handler.wfile.write(unit)
                sent[path], n = sent[path] + len(unit), n + 1
            first = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" if interim else b""
            handler.wfile.write(first + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        except OSError:  # the client hung up: what we wanted
            pass
        handler.close_connection = True
        return True
    return answer


class DnsStub(LocalServer):
    """A DNS server on 127.0.0.1 (UDP) whose answers the test scripts: `answers[n]` is the answer to
    the n-th A query (a list of IPv4 addresses, or None for SERVFAIL); the last one repeats. The
    crawler uses it with $HEALTHWATCH_NAMESERVER=127.0.0.1:port. Every query is kept in `queries`."""

    def __init__(self, answers: list[list[str] | None]):
        import socketserver

        self.answers, self.queries = answers, []
        stub = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                reply = stub._reply(data)
                if reply:
                    sock.sendto(reply, self.client_address)

        super().__init__(Handler, socketserver.ThreadingUDPServer)

    @property
    def address(self) -> str:
        return "%s:%d" % self.server.server_address

    def _reply(self, data: bytes) -> bytes | None:
        if len(data) < 12:
            return None
        ident, end = data[:2], 12
        labels = []
        while data[end]:
            labels.append(data[end + 1:end + 1 + data[end]].decode("ascii", "replace"))
            end += data[end] + 1
        qtype = struct.unpack("!H", data[end + 1:end + 3])[0]
        question = data[12:end + 5]
        if qtype not in (1, 255):  # A (or ANY, which twisted.names asks) records only: no AAAA, no others
            return ident + struct.pack("!HHHHH", 0x8180, 1, 0, 0, 0) + question
        self.queries.append(".".join(labels))
        answer = self.answers[min(len(self.queries), len(self.answers)) - 1]
        if answer is None:
            return ident + struct.pack("!HHHHH", 0x8182, 1, 0, 0, 0) + question  # SERVFAIL
        records = b"".join(struct.pack("!HHHIH", 0xC00C, 1, 1, 0, 4) + socket.inet_aton(a) for a in answer)
        return ident + struct.pack("!HHHHH", 0x8180, 1, len(answer), 0, 0) + question + records
