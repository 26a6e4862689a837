"""A Runtime API relay between cargo-lambda's emulator and a function, for `make bench`.

Two quirks of the emulator (see the README's Performance section) would distort a
comparison: it answers `/next` without `Content-Type`, which crashes awslambdaric,
and it writes a response's head and body separately with Nagle's algorithm on,
which costs a client with delayed ACKs ~40 ms per event. The relay re-sends each
answer in one write with `Content-Type` set, and acknowledges promptly. Every
system in the benchmark, floors included, runs behind one, so it costs all alike.
"""
from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


class Relay(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port: int, upstream_prefix: str):
        super().__init__(("127.0.0.1", 0), RelayHandler)
        self.upstream_port = upstream_port
        self.upstream_prefix = upstream_prefix  # e.g. /.rt/bootstrap

    def handle_error(self, request, client_address) -> None:
        pass  # a function or emulator going away mid-poll is how every run ends

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start(self) -> "Relay":
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class RelayHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Relay

    def log_message(self, *args) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.upstream: http.client.HTTPConnection | None = None

    def _upstream(self) -> http.client.HTTPConnection:
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port)
            self.upstream.connect()
            self.upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self.upstream

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP and k.lower() != "host"}
        conn = self._upstream()
        conn.request(self.command, self.server.upstream_prefix + self.path, body=body, headers=headers)
        if hasattr(socket, "TCP_QUICKACK"):
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        response = conn.getresponse()
        data = response.read()
        out = [f"HTTP/1.1 {response.status} {response.reason}"]
        has_type = False
        for k, v in response.getheaders():
            if k.lower() in HOP_BY_HOP:
                continue
            has_type |= k.lower() == "content-type"
            out.append(f"{k}: {v}")
        if not has_type:
            out.append("Content-Type: application/json")
        out.append(f"Content-Length: {len(data)}")
        self.connection.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + data)

    do_GET = do_POST = _relay
