"""The signing libraries load on first use, once, whichever thread uses them first."""
import subprocess
import sys

from tests.helpers.production import ROOT

FRESH_PROCESS = """
import os, sys, threading
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
import config.urls  # the URLs import the signing services, as every web process does
assert not [m for m in sys.modules if m.startswith("pyhanko")], "pyHanko loaded at start-up"
from signatures import services
barrier = threading.Barrier(8)
found, failed = [], []
def use():
    barrier.wait()
    try:
        found.append((services.pdfsign.LayoutNotFound, services.verify.check, services.keys.KeyRefused))
    except Exception as exc:
        failed.append(repr(exc))
threads = [threading.Thread(target=use) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
assert not failed, failed
assert len(found) == 8 and len(set(found)) == 1
assert "pyhanko" in sys.modules
print("ok")
"""


def test_signing_modules_load_on_first_use_even_from_threads_at_once():
    result = subprocess.run([sys.executable, "-c", FRESH_PROCESS], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr[-3000:]
