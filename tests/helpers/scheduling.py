"""How `make test` shares the tests between its worker processes (pytest-xdist, `--dist loadfile`).

xdist's loadfile hands a worker a whole test module at a time, so a module's fixtures are built
once (the production server of tests/project/test_production.py, the demo data put back after a module of
transactional tests). The browser tests (under a `browser/` directory) are the exception: each is a
unit of its own, since they share only per-worker session fixtures.

A browser test spends most of its time waiting for Chromium and the live server, so `-n auto` starts
one worker more than there are cores (`pytest_xdist_auto_num_workers` in tests/conftest.py) and
that worker, the first, takes the browser tests while the others take the modules: the waiting of the
one overlaps the computing of the others. Whoever runs out of its own kind of work takes the other
kind. With fewer than three workers everyone takes browser tests first, as the longest units.
On two cores the gain is nil (07/12/2026: 237 s, against 236 s twice with a worker per core): what
the browser worker waits for is Chromium's own work, 110-140 s of CPU, and it keeps both cores
busy. The extra worker costs no measurable wall time either, and can gain where there are more cores.

Among the modules, those known to run longest go first (LONG_MODULES, measured with `--durations`),
so that no worker is left alone with one at the end; the rest follow in path order. The order only
changes how long the run takes, never what runs.

(xdist's own `--dist loadgroup` marks do not reach the scheduler with pytest 9: xdist writes the
group into an attribute pytest no longer reads.)
"""
import os
from collections import OrderedDict

from xdist.scheduler import LoadFileScheduling

BROWSER_TESTS = "/browser/"

LONG_MODULES = (
    "tests/api/test_schemathesis.py",
    "tests/signatures/test_services.py",
    "tests/web/test_tenancy.py",
    "tests/project/test_production.py",
    "tests/web/test_pages.py",
    "tests/backups/test_commands.py",
    "tests/project/test_admin.py",
    "tests/bench/test_smoke.py",
)


def auto_workers():
    """Workers for `-n auto`: one per core, plus the one that mostly waits on the browser."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores + 1 if cores >= 2 else cores


def _is_browser(scope):
    return BROWSER_TESTS in scope.split("::", 1)[0]


def _order(scope):
    path = scope.split("::", 1)[0]
    if _is_browser(scope):
        return (0, 0, path)
    if path in LONG_MODULES:
        return (1, LONG_MODULES.index(path), path)
    return (2, 0, path)


class ModulesThenBrowserTests(LoadFileScheduling):
    def __init__(self, config, log=None):
        super().__init__(config, log)
        self._ordered = False

    def _split_scope(self, nodeid):
        path = nodeid.split("::", 1)[0]
        return nodeid if BROWSER_TESTS in path else path

    def _browser_node(self):
        """The worker that takes the browser tests first, when there are three workers or more."""
        if len(self.nodes) < 3:
            return None
        return min(self.nodes, key=lambda node: node.gateway.id)

    def _assign_work_unit(self, node):
        if not self._ordered:
            self.workqueue = OrderedDict(sorted(self.workqueue.items(), key=lambda unit: _order(unit[0])))
            self._ordered = True
        browser_node = self._browser_node()
        if browser_node is not None:
            wants_browser = node is browser_node
            preferred = next((scope for scope in self.workqueue if _is_browser(scope) == wants_browser), None)
            if preferred is not None:
                # Put the preferred unit first: the base class hands out the head of the queue.
                self.workqueue.move_to_end(preferred, last=False)
        super()._assign_work_unit(node)
