"""A fault server that honours idempotency keys the way Chift documents it.

:class:`IdempotentFaultServer` is a :class:`FaultServer` whose requests carrying a key in
the configured header go through a :class:`Ledger` first:

- a key it has not processed yet is answered by the plan, as any request (so the response
  of the processing attempt can be dropped: reset, stall, cut body, 5XX); when the plan's
  action processes it, the ledger remembers the key, with the status and body a vendor
  that acted would have answered and the id of the created record;
- a key it has processed is answered ``409 {"error_code": "REQUEST_ALREADY_PROCESSED",
  "message": "Request already processed: 200"}``, or, with ``replay=True``, the original
  answer again (as vendors that replay do); nothing is created;
- the first ``in_process`` requests with a new key are answered ``409 {"error_code":
  "REQUEST_IN_PROCESS"}`` (an earlier attempt still running) and not processed.

A ``GET`` on ``lookup_path`` with ``client_request_id=KEY`` answers what Chift's transaction
lookup answers: the original status code and the created entity's id, or 404. Requests
without a key are the plan's alone, as with a plain FaultServer: that is how a vendor
without idempotency behaves.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from .faultserver import Action, FaultServer, Plan, Received, _Connection, json_bytes

ALREADY_PROCESSED = "REQUEST_ALREADY_PROCESSED"
IN_PROCESS = "REQUEST_IN_PROCESS"


@dataclass(frozen=True)
class Entry:
    """What the server did with the request that first carried a key."""

    status: int
    body: bytes
    entity_id: str
    route: str


class Ledger:
    """Keys seen, keys processed, and records created per key (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.entries: dict[str, Entry] = {}
        self.seen: Counter[str] = Counter()
        self.created: Counter[str] = Counter()
        """Records created per key: any count above 1 is a duplicate create."""

    def sighting(self, key: str) -> int:
        """Count one request with ``key``; returns how many came before it."""
        with self._lock:
            self.seen[key] += 1
            return self.seen[key] - 1

    def entry(self, key: str) -> Entry | None:
        """The processed request with ``key``, if any."""
        with self._lock:
            return self.entries.get(key)

    def processed(self, key: str, entry: Entry) -> None:
        """Remember that a request with ``key`` was processed (the first time only: a vendor that honours keys)."""
        with self._lock:
            self.created[key] += 1
            self.entries.setdefault(key, entry)

    @property
    def duplicates(self) -> int:
        """Records created more than once for one key."""
        with self._lock:
            return sum(count - 1 for count in self.created.values() if count > 1)


def conflict(code: str, message: str) -> Action:
    """A Chift-style 409 answer; nothing is processed."""
    body = json_bytes({"message": message, "status": "error", "error_code": code})
    return Action(status=409, body=body, processes=False, label=f"409 {code}")


class IdempotentFaultServer(FaultServer):
    """A FaultServer that remembers idempotency keys; see the module docstring."""

    def __init__(
        self,
        plan: Plan,
        *,
        header: str,
        success: Callable[[Received], bytes],
        entity_id: Callable[[Received], str],
        in_process: int = 0,
        replay: bool = False,
        lookup_path: str | None = None,
        max_connections: int = 32,
        lifetime: float = 60.0,
        hold_limit: float = 3.0,
    ) -> None:
        super().__init__(plan, max_connections=max_connections, lifetime=lifetime, hold_limit=hold_limit)
        self.header = header.lower()
        self.ledger = Ledger()
        self._success = success
        self._entity_id = entity_id
        self._in_process = in_process
        self._replay = replay
        self._lookup = re.compile(lookup_path) if lookup_path else None

    def __enter__(self) -> IdempotentFaultServer:
        self.start()
        return self

    def keys(self, predicate: Callable[[Received], bool] = lambda request: True) -> list[str | None]:
        """The key each request (matching ``predicate``) carried, in arrival order; None when it had none."""
        return [record.request.headers.get(self.header) for record in self.records if predicate(record.request)]

    def _serve(self, connection: _Connection) -> None:
        head = connection.read_head()
        if head is None:
            return
        method, target, headers = head
        if self._lookup is not None and method == "GET" and self._lookup.fullmatch(target.split("?", 1)[0]):
            request = Received(method, target, headers, b"", True)
            action = self._lookup_answer(request)
            self._record(request, action, processed=False)
            self._respond(connection, action, request)
            return
        key = headers.get(self.header)
        if key is None:
            self._serve_planned(connection, method, target, headers)
            return
        earlier = self.ledger.sighting(key)
        entry = self.ledger.entry(key)
        if entry is None and earlier >= self._in_process:
            self._serve_planned(connection, method, target, headers, key)
            return
        if entry is None:
            action = conflict(IN_PROCESS, "Request in process")
        elif self._replay:
            replayed = entry.body
            action = Action(status=entry.status, body=replayed, processes=False, label=f"{entry.status} replayed")
        else:
            action = conflict(ALREADY_PROCESSED, f"Request already processed: {entry.status}")
        body, complete = connection.read_body(headers)
        request = Received(method, target, headers, body, complete)
        self._record(request, action, processed=False)
        if complete:
            self._respond(connection, action, request)

    def _serve_planned(
        self, connection: _Connection, method: str, target: str, headers: dict[str, str], key: str | None = None
    ) -> None:
        with self._lock:
            index, self._planned = self._planned, self._planned + 1
        probe = Received(method, target, headers, b"", False)
        action = self._plan(index, probe)
        if action.kind == "reset_before_body":
            self._record(probe, action, processed=False)
            connection.reset()
            return
        body, complete = connection.read_body(headers)
        request = Received(method, target, headers, body, complete)
        processed = complete and action.processes
        if processed and key is not None:
            # A vendor that acted answers success; the plan decides what reaches the client.
            status = action.status if action.kind == "respond" and action.status < 500 else 200
            self.ledger.processed(key, Entry(status, self._success(request), self._entity_id(request), request.path))
        self._record(request, action, processed=processed)
        if not complete:
            return
        if action.kind == "reset_after_body":
            connection.reset()
        elif action.kind == "stall":
            connection.wait_for_close(self._hold_limit)
        else:
            self._respond(connection, action, request)

    def _lookup_answer(self, request: Received) -> Action:
        query = dict(urllib.parse.parse_qsl(request.target.partition("?")[2]))
        entry = self.ledger.entry(query.get("client_request_id", ""))
        if entry is None:
            body = json_bytes({"message": "The specified transaction could not be found", "status": "error"})
            return Action(status=404, body=body, processes=False, label="404 lookup")
        found = {
            "created_on": "2026-08-21T12:00:00Z",
            "method": "POST",
            "route": entry.route,
            "status_code": entry.status,
            "created_entity_id": entry.entity_id,
        }
        return Action(body=json_bytes(found), processes=False, label="200 lookup")
