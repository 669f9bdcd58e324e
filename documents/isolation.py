"""Run a function of documents.docx_engine in a child process with a time and memory budget.

Used for uploaded Word templates (documents.templates): their tags are checked and sandboxed,
but a loop like `{% for x in title * 100000 %}{% for y in title * 100000 %}` is still valid
Jinja, and a thread cannot be stopped. A process can: it is killed when the budget is spent, and
it runs with a capped address space (RLIMIT_AS), a CPU-time limit and a zero file-size limit.

The child is a fresh interpreter (`python -m documents.isolation`), not a fork of the worker: it
inherits no database connection, no open file, no lock held by another thread and no secret
from the environment, and it never imports Django. The function and its arguments (template
bytes and the plain context) go in as a pickle; the answer comes back as one JSON line, followed
by the raw bytes when the result is a file, so nothing the child produces is unpickled.

run(func, *args, timeout, memory_mb, **kwargs)
    func's return value (bytes or JSON data); re-raises TemplateRefused from the child; raises
    Timeout when the budget is spent, OutOfMemory when the address space ran out, and Failed when
    the child failed otherwise or died.
"""
import json
import os
import pickle
import resource
import subprocess
import sys
from pathlib import Path

from .docx_engine import TemplateRefused

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Timeout(Exception):
    pass


class OutOfMemory(Exception):
    pass


class Failed(Exception):
    pass


def _child_environment():
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "TMPDIR", "VIRTUAL_ENV")
    environment = {name: os.environ[name] for name in keep if name in os.environ}
    environment["PYTHONIOENCODING"] = "utf-8"
    return environment


def run(func, *args, timeout, memory_mb, **kwargs):
    if func.__module__ != "documents.docx_engine":
        raise ValueError("only documents.docx_engine functions run in the child")
    payload = pickle.dumps((func.__name__, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
    command = [sys.executable, "-E", "-s", "-m", "documents.isolation", str(int(memory_mb)), str(int(timeout) + 2)]
    try:
        completed = subprocess.run(
            command, input=payload, capture_output=True, timeout=timeout, cwd=PROJECT_DIR, env=_child_environment()
        )
    except subprocess.TimeoutExpired:
        raise Timeout() from None  # subprocess.run has killed the child
    header, _, body = completed.stdout.partition(b"\n")
    try:
        answer = json.loads(header)
    except ValueError:
        tail = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise Failed(f"tiến trình dựng văn bản dừng bất thường (mã {completed.returncode}) {tail[0]}".strip()) from None
    status = answer.get("status")
    if status == "ok":
        return body if answer.get("bytes") else answer.get("value")
    if status == "refused":
        raise TemplateRefused(answer["message"])
    if status == "memory":
        raise OutOfMemory()
    raise Failed(answer.get("message", ""))


# --- the child ----------------------------------------------------------------------------------
def _limit(memory_mb, cpu_seconds):
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # nothing to write but the answer on stdout


def _answer(out, result):
    if isinstance(result, bytes):
        out.write(json.dumps({"status": "ok", "bytes": True}).encode() + b"\n")
        out.write(result)
    else:
        out.write(json.dumps({"status": "ok", "value": result}).encode() + b"\n")


def _main(memory_mb, cpu_seconds):
    _limit(memory_mb, cpu_seconds)
    out = sys.stdout.buffer
    try:
        from documents import docx_engine

        name, args, kwargs = pickle.loads(sys.stdin.buffer.read())
        result = getattr(docx_engine, name)(*args, **kwargs)
        _answer(out, result)
    except TemplateRefused as exc:
        out.write(json.dumps({"status": "refused", "message": exc.message}).encode() + b"\n")
    except MemoryError:
        out.write(b'{"status": "memory"}\n')
    except BaseException as exc:  # noqa: BLE001 - every failure is reported to the parent
        out.write(json.dumps({"status": "error", "message": f"{type(exc).__name__}: {exc}"[:500]}).encode() + b"\n")
    out.flush()


if __name__ == "__main__":
    _main(int(sys.argv[1]), int(sys.argv[2]))
