"""Benchmark ``async``: ``AsyncClient`` per call against raw httpx, and 100 concurrent calls against threads.

Both rows use Formation's ``create_contact`` against the keep-alive ``CannedServer`` of
``per_call.py`` on 127.0.0.1, with the body given as a model:

- per call: one call at a time through ``AsyncClient`` against the same POST made with a
  raw ``httpx.AsyncClient`` (``json.dumps`` / ``json.loads``), both in one event loop.
  Target: ratio <= 1.2;
- 100 concurrent calls: ``asyncio.gather`` of 100 calls on one ``AsyncClient`` against the
  blocking ``Client`` serving the same 100 calls from 16 threads, and against the same
  burst through a raw ``httpx.AsyncClient``. Informational: what async buys (or costs) for
  a burst of calls, each client with its default pool, and how much of it is httpx's.

The server runs in a thread of this process, so it competes with the client for the GIL:
a side that opens more connections (the async one) pays for more server threads.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import json
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.harness import BenchError, Row, Settings, ratio_row, rotated
from bench.per_call import CannedServer, formation_exchange

BURST = 100
THREADS = 16


def bench_async(settings: Settings) -> list[Row]:
    """Both rows of the ``async`` benchmark."""
    try:
        import httpx
    except ImportError:
        raise BenchError("httpx is not installed (pip install -r requirements/dev.txt)") from None
    formation: Any = importlib.import_module("generated.formation")
    request, response = formation_exchange()
    body = formation.structure(request, formation.models.ContactIn)
    key = "bench-api-key"
    loop = asyncio.new_event_loop()
    with CannedServer(json.dumps(response).encode("utf-8")) as server:
        client = formation.AsyncClient(api_key=key, base_url=server.url, retry=formation.NO_RETRY)
        blocking = formation.Client(api_key=key, base_url=server.url, retry=formation.NO_RETRY)
        raw = httpx.AsyncClient()
        threads = ThreadPoolExecutor(max_workers=THREADS)
        url = server.url + "/contacts"
        headers = {"Content-Type": "application/json", "Accept": "application/json", "X-API-KEY": key}

        async def raw_call() -> Any:
            answer = await raw.post(url, content=json.dumps(request).encode("utf-8"), headers=headers)
            if answer.status_code != 200:
                raise BenchError(f"the canned server answered {answer.status_code}")
            return json.loads(answer.content)

        async def typed_call() -> Any:
            return await client.create_contact(body=body)

        async def burst() -> None:
            await asyncio.gather(*(typed_call() for _ in range(BURST)))

        async def raw_burst() -> None:
            await asyncio.gather(*(raw_call() for _ in range(BURST)))

        def threaded_burst() -> None:
            list(threads.map(lambda _: blocking.create_contact(body=body), range(BURST)))

        def sequential(operation: Callable[[], Awaitable[Any]]) -> Callable[[], float]:
            async def calls() -> None:
                for _ in range(settings.calls):
                    await operation()

            def sample() -> float:
                gc.collect()
                started = time.perf_counter()
                loop.run_until_complete(calls())
                return (time.perf_counter() - started) / settings.calls * 1e6

            return sample

        def bursts(run: Callable[[], None]) -> Callable[[], float]:
            def sample() -> float:
                gc.collect()
                started = time.perf_counter()
                run()
                return (time.perf_counter() - started) * 1e3

            return sample

        try:
            for _ in range(20):  # connect, fill caches
                loop.run_until_complete(typed_call())
                loop.run_until_complete(raw_call())
            loop.run_until_complete(burst())
            threaded_burst()
            if loop.run_until_complete(typed_call()).id != response["data"]["id"]:
                raise BenchError("AsyncClient decoded the canned response wrongly")
            per_call = rotated({"async": sequential(typed_call), "raw": sequential(raw_call)}, settings.samples)
            concurrent = rotated(
                {
                    "async": bursts(lambda: loop.run_until_complete(burst())),
                    "threads": bursts(threaded_burst),
                    "raw": bursts(lambda: loop.run_until_complete(raw_burst())),
                },
                settings.samples,
            )
        finally:
            loop.run_until_complete(client.aclose())
            loop.run_until_complete(raw.aclose())
            loop.close()
            blocking.close()
            threads.shutdown()
    total = settings.calls * settings.samples
    return [
        ratio_row(
            "async",
            f"AsyncClient POST /contacts, loopback, body as a model ({total} calls)",
            "us",
            per_call["async"],
            per_call["raw"],
            "raw httpx.AsyncClient + json",
            1.2,
            "typed model in, validated, typed model out, one event loop; the peer: dict in, dict out",
        ),
        ratio_row(
            "async",
            f"{BURST} concurrent calls: AsyncClient (gather) vs Client on {THREADS} threads",
            "ms",
            concurrent["async"],
            concurrent["threads"],
            f"Client + {THREADS} threads",
            None,
            "time for the whole burst, each client with its default connection pool",
        ),
        ratio_row(
            "async",
            f"{BURST} concurrent calls: AsyncClient vs raw httpx.AsyncClient, both with gather",
            "ms",
            concurrent["async"],
            concurrent["raw"],
            "raw httpx.AsyncClient + json",
            None,
            "the share of the burst that is httpx's own (default pools of 100 connections)",
        ),
    ]
