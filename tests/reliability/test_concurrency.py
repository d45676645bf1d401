"""Concurrency: one client shared by many threads, with the token expiring and being revoked under load.

Chift's create_invoicing_contact with the token exchange (client_id, client_secret,
account_id): each call sends a unique first_name that the server echoes back as the
contact's id and first_name, so every response is matched to its request. Token expiry is
forced several times, alternately on the client (``TokenAuth.expire()``) and on the
server (the token is revoked, so requests carrying it get a 401 and the client refreshes);
exactly one POST /token must follow each expiry, whatever the number of threads waiting.
"""

from __future__ import annotations

import functools
import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from generated import chift
from generated.chift._auth import TokenAuth
from tests.helpers.vendors import CHIFT_ACCOUNT_ID, CHIFT_CLIENT_ID, CHIFT_CLIENT_SECRET, CHIFT_ISSUED_TOKEN_PREFIX

from .faultserver import EchoServer, Received, json_bytes
from .hygiene import scan
from .report import REPORT

THREADS = 16
CALLS_PER_THREAD = 500
EXPIRIES = ("expire", "revoke") * 5
JSON_HEADERS = {"Content-Type": "application/json"}


class TokenService:
    """Issues numbered tokens, accepts only valid ones, echoes each contact's first_name."""

    def __init__(self, lifetime: int) -> None:
        self._lock = threading.Lock()
        self._lifetime = lifetime
        self._valid: set[str] = set()
        self.token_times: list[float] = []
        self.unauthorized = 0
        self.creates = 0

    @property
    def tokens(self) -> int:
        """Tokens issued so far (POST /token answered)."""
        with self._lock:
            return len(self.token_times)

    def revoke(self) -> None:
        """Invalidate every token issued so far: requests carrying one get a 401."""
        with self._lock:
            self._valid.clear()

    def handle(self, request: Received) -> tuple[int, dict[str, str], bytes]:
        """Answer one request."""
        if request.path == "/token":
            with self._lock:
                self.token_times.append(time.monotonic())
                token = f"{CHIFT_ISSUED_TOKEN_PREFIX}{len(self.token_times)}"
                self._valid.add(token)
            body = {"access_token": token, "token_type": "bearer", "expires_in": self._lifetime, "expires_on": 0}
            return 200, JSON_HEADERS, json_bytes(body)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            accepted = token in self._valid
            if not accepted:
                self.unauthorized += 1
            else:
                self.creates += 1
        if not accepted:
            return 401, JSON_HEADERS, json_bytes({"message": "token expired", "status": "error"})
        first_name = json.loads(request.body)["first_name"]
        answer = {"id": first_name, "source_ref": {"id": first_name, "model": "contact"}, "first_name": first_name}
        return 200, JSON_HEADERS, json_bytes(answer)


class Load:
    """Worker threads sharing one client; each records its progress and the token generation it started under."""

    def __init__(self, client: chift.Client, service: TokenService, threads: int, calls: int) -> None:
        self.client = client
        self.service = service
        self.calls = calls
        self.errors: list[str] = []
        self.mismatches: list[str] = []
        self.done = [0] * threads
        self.generation = [0] * threads
        self.finished = [False] * threads
        self._lock = threading.Lock()
        self.workers = [threading.Thread(target=self._work, args=(index,), daemon=True) for index in range(threads)]

    def _work(self, index: int) -> None:
        try:
            for call in range(self.calls):
                generation = self.service.tokens
                marker = f"w{index:02d}-c{call:04d}"
                try:
                    result = self.client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": marker})
                except Exception as exc:
                    with self._lock:
                        self.errors.append(repr(exc))
                else:
                    if result.first_name != marker or result.id != marker:
                        with self._lock:
                            self.mismatches.append(f"{marker} -> {result.id}/{result.first_name}")
                self.done[index] = call + 1
                self.generation[index] = generation
        finally:
            self.finished[index] = True

    def start(self) -> None:
        """Start every worker."""
        for worker in self.workers:
            worker.start()

    def join(self, timeout: float) -> None:
        """Wait for the workers (all of them within ``timeout`` seconds)."""
        end = time.monotonic() + timeout
        for worker in self.workers:
            worker.join(timeout=max(0.0, end - time.monotonic()))
        assert not any(worker.is_alive() for worker in self.workers), "workers still running"

    def reached(self, calls: int) -> bool:
        """Whether ``calls`` calls have completed, all threads together."""
        return self.completed >= calls

    def token_issued_after(self, tokens: int) -> bool:
        """Whether more than ``tokens`` tokens were issued (or every worker is done)."""
        return self.service.tokens > tokens or all(self.finished)

    def all_started_under(self, generation: int) -> bool:
        """Whether every thread (still running) completed a call begun after ``generation`` tokens were issued."""
        return all(done or started >= generation for done, started in zip(self.finished, self.generation, strict=True))

    @property
    def completed(self) -> int:
        """Calls completed so far, all threads together."""
        return sum(self.done)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.002)


def make_client(url: str) -> chift.Client:
    """A Chift client that exchanges client credentials for tokens."""
    return chift.Client(
        client_id=CHIFT_CLIENT_ID,
        client_secret=CHIFT_CLIENT_SECRET,
        account_id=CHIFT_ACCOUNT_ID,
        base_url=url,
        timeout=chift.Timeout(connect=5.0, read=10.0, total=20.0),
        retry=chift.RetryPolicy(backoff=0.01, retry_after_cap=0.2),
    )


def test_shared_client_under_load_with_forced_token_expiry() -> None:
    service = TokenService(lifetime=1800)
    total = THREADS * CALLS_PER_THREAD
    budget = total + 2 * len(EXPIRIES) * THREADS + 100  # every call, the 401 retries, the token requests
    with EchoServer(service.handle, max_requests=budget, lifetime=240) as server:
        client = make_client(server.url)
        auth: Any = client._auth
        assert isinstance(auth, TokenAuth)
        load = Load(client, service, THREADS, CALLS_PER_THREAD)
        started = time.monotonic()
        load.start()
        for number, kind in enumerate(EXPIRIES, start=1):
            target = total * number // (len(EXPIRIES) + 1)
            wait_until(functools.partial(load.reached, target), 120, "progress")
            before = service.tokens
            if kind == "expire":
                auth.expire()
            else:
                service.revoke()
            wait_until(functools.partial(load.token_issued_after, before), 30, f"the token after {kind}")
            # Every thread finishes a call begun under the new token: no request still carries the old one.
            wait_until(functools.partial(load.all_started_under, service.tokens), 30, "every thread on the new token")
        load.join(timeout=240)
        elapsed = time.monotonic() - started
        client.close()
    assert not server.failures, server.failures
    REPORT.concurrency.append(
        f"{THREADS} threads x {CALLS_PER_THREAD} calls = {total} calls in {elapsed:.1f} s "
        f"({total / elapsed:.0f}/s): {total - len(load.errors)} ok, {len(load.errors)} errors, "
        f"{len(load.mismatches)} mismatched; POST /token {service.tokens} for {len(EXPIRIES)} forced expiries "
        f"+ the first; {service.unauthorized} 401s answered to revoked tokens"
    )
    assert load.errors == [], load.errors[:5]
    assert load.mismatches == [], load.mismatches[:5]
    assert load.completed == total
    assert service.creates == total
    assert service.tokens == 1 + len(EXPIRIES), f"{service.tokens} token requests for {len(EXPIRIES)} expiries"
    assert scan("concurrency: client repr", [repr(client), repr(auth)]) == []


def test_token_refreshed_once_per_lifetime_by_all_threads() -> None:
    """Tokens live 2 s and are refreshed at half their life: a new one every second, fetched by one thread only."""
    service = TokenService(lifetime=2)
    duration = 3.5
    with EchoServer(service.handle, max_requests=200_000, lifetime=60) as server:
        client = make_client(server.url)
        errors: list[str] = []
        calls = [0] * THREADS
        end = time.monotonic() + duration

        def work(index: int) -> None:
            while time.monotonic() < end:
                marker = f"l{index:02d}-{calls[index]}"
                try:
                    result = client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": marker})
                    if result.first_name != marker:
                        errors.append(f"mismatch {marker}")
                except Exception as exc:
                    errors.append(repr(exc))
                calls[index] += 1

        workers = [threading.Thread(target=work, args=(index,), daemon=True) for index in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=duration + 30)
        client.close()
    assert not server.failures, server.failures
    times = service.token_times
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    REPORT.concurrency.append(
        f"lifetime refresh: {sum(calls)} calls by {THREADS} threads in {duration} s, {len(errors)} errors, "
        f"POST /token {len(times)} (shortest gap {min(gaps, default=0):.2f} s, token valid 1 s)"
    )
    assert errors == [], errors[:5]
    assert all(gap >= 0.9 for gap in gaps), f"two token requests within one token lifetime: {gaps}"
    assert int(duration) <= len(times) <= int(duration) + 2
