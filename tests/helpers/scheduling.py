"""How `make test` shares the tests between its worker processes (pytest-xdist, `--dist loadfile`).

xdist's loadfile hands a worker a whole test module at a time, so a module's fixtures are built
once (the production server of tests/project/test_production.py, the demo data put back after a module of
transactional tests). The browser tests (under a `browser/` directory) are the exception: they are
the longest tests and share only per-worker session fixtures, so each is a unit of its own, and
they are handed out first, both workers taking them, then the modules in path order.

(xdist's own `--dist loadgroup` marks do not reach the scheduler with pytest 9: xdist writes the
group into an attribute pytest no longer reads.)
"""
from collections import OrderedDict

from xdist.scheduler import LoadFileScheduling

BROWSER_TESTS = "/browser/"


class ModulesThenBrowserTests(LoadFileScheduling):
    def __init__(self, config, log=None):
        super().__init__(config, log)
        self._ordered = False

    def _split_scope(self, nodeid):
        path = nodeid.split("::", 1)[0]
        return nodeid if BROWSER_TESTS in path else path

    def _assign_work_unit(self, node):
        if not self._ordered:
            # The longest units first, so that no worker is left alone with one at the end.
            units = sorted(self.workqueue.items(), key=lambda unit: (BROWSER_TESTS not in unit[0], unit[0].split("::", 1)[0]))
            self.workqueue = OrderedDict(units)
            self._ordered = True
        super()._assign_work_unit(node)
