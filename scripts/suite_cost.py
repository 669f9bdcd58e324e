"""What the test suite costs on this machine: wall time and CPU, per module and in all, and the
shortest `make test` the machine's cores allow.

Runs the suite (or the pytest arguments given) in this one process, so that each test's time is its
own and not another worker's, and reads the CPU from the kernel: this process's and that of every
process it waited for (LibreOffice, the servers and commands the tests start, Chromium). A child's
CPU is counted when it ends: Chromium's comes in when the browser closes, after the browser tests,
so it is in the total but lands on a later module's row, while the browser modules show it as
waiting. Processes whose parents never wait for them (most of Chromium's renderers) would escape
that count: on Linux this process becomes their reaper (PR_SET_CHILD_SUBREAPER) and collects them
once the tests are done, a line of its own in the report.

The floor is the total CPU divided by the cores: `make test` spreads the same work over the cores
and cannot end sooner, however the tests are shared out.

    .venv/bin/python scripts/suite_cost.py                 # the whole suite, ~5 minutes
    .venv/bin/python scripts/suite_cost.py tests/web       # part of it
    .venv/bin/python scripts/suite_cost.py --target 79     # also: can `make test` take 79 s here?
"""
import argparse
import ctypes
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_seconds():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Recorder:
    """A pytest plugin: wall and CPU of each test, from its setup to its teardown."""

    def __init__(self):
        self.started = {}
        self.modules = defaultdict(lambda: {"wall": 0.0, "cpu": 0.0, "tests": 0})
        self.skipped = set()

    def pytest_runtest_logreport(self, report):
        if report.skipped:
            self.skipped.add(report.nodeid)

    def pytest_runtest_logstart(self, nodeid, location):
        self.started[nodeid] = (time.perf_counter(), cpu_seconds())

    def pytest_runtest_logfinish(self, nodeid, location):
        wall0, cpu0 = self.started.pop(nodeid)
        row = self.modules[nodeid.split("::", 1)[0]]
        row["wall"] += time.perf_counter() - wall0
        row["cpu"] += cpu_seconds() - cpu0
        row["tests"] += 1


def become_subreaper():
    """Orphaned descendants come to this process instead of init, so their CPU can be counted."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def reap_orphans(patience=10.0):
    """Wait for the orphans left (a closing browser's last processes), so their CPU is counted.
    Only after the tests: reaping any child while they run could take a status a test waits for."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.1)


def cores():
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def minutes(seconds):
    return f"{int(seconds // 60)} min {seconds % 60:04.1f} s" if seconds >= 60 else f"{seconds:.1f} s"


def report(recorder, wall, cpu, orphans, target, top):
    modules = sorted(recorder.modules.items(), key=lambda item: -item[1]["wall"])
    print(f"\n{'module':60} {'tests':>5} {'wall s':>7} {'CPU s':>7} {'waiting s':>9}")
    for path, row in modules[:top]:
        print(f"{path:60} {row['tests']:5d} {row['wall']:7.1f} {row['cpu']:7.1f} {row['wall'] - row['cpu']:9.1f}")
    rest = modules[top:]
    if rest:
        print(f"{f'the other {len(rest)} modules':60} {sum(r['tests'] for _, r in rest):5d} "
              f"{sum(r['wall'] for _, r in rest):7.1f} {sum(r['cpu'] for _, r in rest):7.1f}")
    n = cores()
    floor = cpu / n
    print(f"\ntests: {sum(r['tests'] for _, r in modules) - len(recorder.skipped)} run, {len(recorder.skipped)} skipped")
    print(f"wall time in one process: {minutes(wall)}")
    if orphans is not None:
        print(f"CPU of orphaned processes, collected after the tests (mostly Chromium's renderers): {orphans:.1f} s")
    print(f"CPU in all (this process and every process it started, Chromium included): {cpu:.1f} s")
    print(f"cores: {n}; shortest possible `make test` here: {minutes(floor)} (CPU ÷ cores)")
    if target:
        verdict = "reachable" if floor <= target else f"out of reach: the CPU would have to fall by {1 - target / floor:.0%}"
        print(f"target {minutes(target)}: {verdict}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", type=float, help="a wall time for `make test` to compare the floor with (seconds)")
    parser.add_argument("--top", type=int, default=15, help="modules to list, longest first")
    args, pytest_args = parser.parse_known_args()

    # As `make test` runs pytest (the bytecode cache on), but in this one process.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    import pytest

    recorder = Recorder()
    subreaper = become_subreaper()
    wall0, cpu0 = time.perf_counter(), cpu_seconds()
    status = pytest.main(["-q", "-p", "no:cacheprovider", "-n", "0", *pytest_args], plugins=[recorder])
    wall, cpu = time.perf_counter() - wall0, cpu_seconds() - cpu0
    orphans = None
    if subreaper:
        reap_orphans()
        orphans = cpu_seconds() - cpu0 - cpu
        cpu += orphans
    report(recorder, wall, cpu, orphans, args.target, args.top)
    return int(status)


if __name__ == "__main__":
    sys.exit(main())
