"""Real concurrency on PostgreSQL: threads with their own database connections, released at the
same instant by a barrier. SQLite serialises every writer, so these tests need PostgreSQL."""
import os
import threading

import pytest
from django.db import connections

postgres_only = pytest.mark.skipif(
    "postgres" not in os.environ.get("DATABASE_URL", ""),
    reason="needs PostgreSQL: set DATABASE_URL=postgres://... (SQLite serialises all writers)",
)


def in_parallel(*calls, timeout=120):
    """Run each call in its own thread and connection, all released at once. Returns
    [("ok", result) | ("error", exception)] in the order of the calls."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            connections["default"].ensure_connection()  # connect before the start line
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[index] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a worker hung (deadlock?)"
    return results
