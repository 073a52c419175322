"""The HTTP(S) front of the sandbox: a threaded stdlib server with keep-alive.

The stdlib server keeps full control of the socket, which fault injection needs (closing a
connection without an answer, sending a body cut short). TLS handshakes run in the worker
thread, so one slow client cannot stall the accept loop.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import orjson

from sandbox.server.api import SandboxApi
from sandbox.server.faults import Fault

# Control endpoints of the sandbox itself (not part of the Bitrix24 API), token-protected.
ControlHandler = Callable[[str, dict[str, list[str]]], tuple[int, Any]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls
    server_version = "Bitrix24-Sandbox/1"
    server: "SandboxHttpServer"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        # Access logs would print webhook tokens (they are in the URL): keep quiet.
        return

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve(b"")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self._serve(body)

    def _serve(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        if parts.path.startswith("/sandbox/"):
            self._control(parts.path, parts.query)
            return
        reply = self.server.api.handle(
            parts.path, parts.query, self.headers.get("Content-Type", ""), body, self.client_address[0]
        )
        if reply.latency:
            time.sleep(reply.latency)
        if reply.fault is Fault.DROP:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(reply.status, reply.body)

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _control(self, path: str, query: str) -> None:
        params = parse_qs(query)
        token = (params.get("token") or [""])[0]
        if token != self.server.api.config.token:
            self._send(403, orjson.dumps({"error": "INVALID_CREDENTIALS", "error_description": "Invalid request credentials"}))
            return
        handler = self.server.control
        status, payload = handler(path, params) if handler else (404, {"error": "not found"})
        self._send(status, orjson.dumps(payload))


class SandboxHttpServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], api: SandboxApi, ssl_context: ssl.SSLContext | None = None,
                 control: ControlHandler | None = None) -> None:
        super().__init__(address, _Handler)
        self.api = api
        self.ssl_context = ssl_context
        self.control = control
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._workers: list[threading.Thread] = []

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
            self._workers = [worker for worker in self._workers if worker.is_alive()]
            worker = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
            self._workers.append(worker)
        worker.start()

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def stop(self, timeout: float = 5.0) -> None:
        """Stops accepting, closes kept-alive connections and waits for the workers to finish."""
        self.shutdown()
        with self._connections_lock:
            connections = list(self._connections)
            workers = list(self._workers)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
        self.server_close()

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is not None:
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a killed extractor) is normal here, not a traceback."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def start_in_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="sandbox-http", daemon=True)
        thread.start()
        return thread
