"""Benchmark ``per-call``: the generated client's overhead per call against raw urllib3, on loopback.

Formation's ``create_contact`` through the generated client against the same POST made with
a raw urllib3 PoolManager (``json.dumps`` / ``json.loads``), both against a keep-alive
raw-socket server (a thread of the benchmark, ``CannedServer``) on 127.0.0.1 answering a
canned response; body given as a model (the target row) and as a dict. Target: ratio <= 1.2.
"""

from __future__ import annotations

import gc
import importlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Any

from bench.harness import (
    SCHEMA_FILE,
    SCHEMAS,
    BenchError,
    Row,
    Settings,
    find_operation,
    load_json,
    ratio_row,
    rotated,
    seed_example,
)


def formation_exchange() -> tuple[dict[str, Any], dict[str, Any]]:
    """Formation's create_contact seed request and 200 response examples."""
    operation = find_operation(load_json(SCHEMAS / "formation" / SCHEMA_FILE), "create_contact")
    return seed_example(operation["requestBody"]), seed_example(operation["responses"]["200"])


class CannedServer:
    """An HTTP/1.1 keep-alive server on 127.0.0.1 answering every request with one fixed response.

    Raw sockets, one thread per connection, no parsing beyond the request's length: it
    costs both sides of the per-call benchmark the same, and as little as possible.
    It stops when the ``with`` block ends, or by itself after ``lifetime`` seconds.
    """

    def __init__(self, body: bytes, *, content_type: str = "application/json", lifetime: float = 900.0) -> None:
        head = (
            "HTTP/1.1 200 OK\r\n"
            f"Content-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n"
        )
        self._response = head.encode("ascii") + body
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self._deadline = time.monotonic() + lifetime
        self._stopping = threading.Event()
        self._acceptor = threading.Thread(target=self._accept, name="canned-server", daemon=True)
        self._connections: list[threading.Thread] = []
        self.requests = 0
        self.port: int = self._listener.getsockname()[1]

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CannedServer:
        self._acceptor.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._acceptor.join(timeout=5)  # no connection is accepted after this
        for thread in self._connections:
            thread.join(timeout=5)
        self._listener.close()

    def _running(self) -> bool:
        return not self._stopping.is_set() and time.monotonic() < self._deadline

    def _accept(self) -> None:
        while self._running():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(connection,), name="canned-connection", daemon=True)
            self._connections.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(0.1)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        with connection:
            while self._running():
                end = buffer.find(b"\r\n\r\n")
                if end >= 0:
                    match = re.search(rb"(?im)^content-length:\s*(\d+)", buffer[:end])
                    total = end + 4 + (int(match.group(1)) if match else 0)
                    if len(buffer) >= total:
                        buffer = buffer[total:]
                        try:
                            connection.sendall(self._response)
                        except OSError:
                            return  # the client went away
                        self.requests += 1
                        continue
                try:
                    chunk = connection.recv(65536)
                except TimeoutError:
                    continue
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk


def bench_per_call(settings: Settings) -> list[Row]:
    """Formation create_contact through the generated client against raw urllib3, on loopback."""
    import urllib3

    formation: Any = importlib.import_module("generated.formation")
    request, response = formation_exchange()
    body = formation.structure(request, formation.models.ContactIn)
    key = "bench-api-key"
    rows: list[Row] = []
    with CannedServer(json.dumps(response).encode("utf-8")) as server:
        client = formation.Client(api_key=key, base_url=server.url, retry=formation.NO_RETRY)
        pool = urllib3.PoolManager(maxsize=1, retries=False)
        url = server.url + "/contacts"
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-API-KEY": key}

        def raw_call() -> Any:
            answer = pool.request("POST", url, body=json.dumps(request).encode("utf-8"), headers=headers)
            if answer.status != 200:
                raise BenchError(f"the canned server answered {answer.status}")
            return json.loads(answer.data)

        def calls(operation: Callable[[], object]) -> Callable[[], float]:
            def sample() -> float:
                gc.collect()
                started = time.perf_counter()
                for _ in range(settings.calls):
                    operation()
                return (time.perf_counter() - started) / settings.calls * 1e6

            return sample

        def typed_call(argument: Any = body) -> Any:
            return client.create_contact(body=argument)

        try:
            for _ in range(20):  # connect, fill caches
                typed_call()
                raw_call()
            if client.create_contact(body=body).id != response["data"]["id"]:
                raise BenchError("the generated client decoded the canned response wrongly")
            samples = rotated(
                {"model": calls(typed_call), "dict": calls(partial(typed_call, request)), "raw": calls(raw_call)},
                settings.samples,
            )
            total = settings.calls * settings.samples
            for label in ("model", "dict"):
                rows.append(
                    ratio_row(
                        "per-call",
                        f"POST /contacts, loopback, body as a {label} ({total} calls)",
                        "us",
                        samples[label],
                        samples["raw"],
                        "raw urllib3 + json",
                        1.2 if label == "model" else None,
                        "typed model in, validated, typed model out; the peer: dict in, dict out, nothing checked"
                        if label == "model"
                        else "as above, with the body given as a dict in wire form",
                    )
                )
        finally:
            client.close()
            pool.clear()
    return rows
