"""The measurements of issue 15, each side by side with its baseline, as a Markdown report.

Every measurement runs the application's own code path (the web page or API view through Django's
test client, the service, the renderer) and a baseline doing the least the database or the
library must do for the same result:

- pages and API collections: the first page, N clients at once (separate processes, each with
  its own connection, each warmed by one untimed request); baseline: one SQL query selecting the
  same first page of rows;
- search: the same, the baseline being the indexed LIKE on the folded column;
- issue: one process, one commune per process (4 communes), N processes in one commune; baseline:
  a raw `UPDATE … RETURNING` of the register's sequence row by as many processes; the ceiling
  that the machine's cores put on issuing in parallel, from the CPU one issue takes;
- reminders: a first and a second run over the whole dataset (mail to a dummy backend);
- rounds: opening each commune's next round and compiling its summary report, per commune and for
  every commune one after another, each in a transaction rolled back (the dataset stays as made);
- rendering: render_template against a bare docxtpl render of the same template and context,
  alternating in one process.

Latencies are wall-clock per request; the report gives medians, p95 and the ratio to the baseline.
"""
import io
import multiprocessing
import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.test import Client
from django.utils import timezone
from docxtpl import DocxTemplate

from accounts.models import User
from documents.context import build_context
from documents.models import NumberSequence
from documents.docx_engine import render_template
from documents.templates import active_template
from organizations.models import Commune
from plans.models import Area, Assignment, Period, Phase, Plan, Target
from rounds import reminders
from rounds.compile import compile_period
from rounds.services import open_round
from rounds.models import Notification, ReminderLog
from workflows.models import Document, Kind, State
from workflows.services import perform_transition

from .dataset import PREFIX, _copy


@dataclass
class Row:
    what: str
    median_ms: float
    p95_ms: float
    baseline: str = ""
    base_median_ms: float | None = None
    base_p95_ms: float | None = None
    extra: str = ""
    notes: list = field(default_factory=list)

    @property
    def ratio(self):
        if not self.base_median_ms:
            return None
        return self.median_ms / self.base_median_ms


def p95(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]


def summary(durations):
    ms = [d * 1000 for d in durations]
    return statistics.median(ms), p95(ms)


# --- running things in N processes at once --------------------------------------------------------
def _child(job, args, start, queue):
    # A forked child must not use the parent's connections, nor its connection pool (whose worker
    # threads did not survive the fork): it starts its own.
    pools = getattr(type(connections["default"]), "_connection_pools", None)
    if pools:
        pools.clear()
    for alias in connections:
        connections[alias].connection = None
    try:
        start.wait()  # every process ready, then all at once
        queue.put(("ok", job(*args)))
    except Exception as exc:  # noqa: BLE001 - reported by the parent
        queue.put(("error", repr(exc)))
    finally:
        connections.close_all()


def in_processes(job, args_list):
    """Run job(*args) in one forked process per args, released together once all of them have
    started (a barrier with this process as the last party). Returns (results, wall seconds)."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start, queue = context.Barrier(len(args_list) + 1), context.Queue()
    processes = [context.Process(target=_child, args=(job, args, start, queue)) for args in args_list]
    for process in processes:
        process.start()
    start.wait(timeout=600)
    began = time.perf_counter()
    results = [queue.get(timeout=3600) for _ in processes]
    wall = time.perf_counter() - began
    for process in processes:
        process.join()
    errors = [r for kind, r in results if kind == "error"]
    if errors:
        raise RuntimeError(f"a benchmark process failed: {errors[0]}")
    return [r for _, r in results], wall


def _get_many(username, path, count):
    # A host the settings allow, over "https" so that no HTTPS redirect answers instead of the page.
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username=username))
    # One request untimed: a fresh process compiles its templates and resolves its URLs once.
    client.get(path, secure=True)
    times = []
    body = b""
    for _ in range(count):
        began = time.perf_counter()
        response = client.get(path, secure=True)
        body = response.content
        times.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code}")
    return times, len(body)


def _sql_many(sql, params, count):
    times = []
    with connection.cursor() as cursor:
        for _ in range(count):
            began = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            times.append(time.perf_counter() - began)
    return times


def concurrent_page(what, username, path, sql, params, *, clients, requests):
    results, _ = in_processes(_get_many, [(username, path, requests)] * clients)
    times = [t for r, _ in results for t in r]
    size = results[0][1]
    base, _ = in_processes(_sql_many, [(sql, params, requests)] * clients)
    median, high = summary(times)
    b_median, b_high = summary([t for r in base for t in r])
    return Row(what, median, high, "one SQL query, first 20 rows", b_median, b_high, extra=f"{size // 1024} KB")


# --- issuing -----------------------------------------------------------------------------------
def signed_documents(commune, count, tag):
    """`count` signed plan documents of `commune`, each of a copy of its plan (a plan has one)."""
    plan = Plan.objects.filter(commune=commune).order_by("pk").first()
    model = Document.objects.filter(plan=plan, kind=Kind.PLAN).first()
    signer = person(commune, "signer")
    documents = []
    for index in range(count):
        copy = _copy(plan, code=f"{tag}-{index}")
        copy.save()
        areas = list(Area.objects.filter(plan=plan).order_by("pk"))
        new_areas = Area.objects.bulk_create([_copy(a, plan_id=copy.pk) for a in areas])
        area_map = {a.pk: n.pk for a, n in zip(areas, new_areas)}
        Target.objects.bulk_create([_copy(t, plan_id=copy.pk, area_id=area_map[t.area_id]) for t in Target.objects.filter(plan=plan)])
        Phase.objects.bulk_create([_copy(p, plan_id=copy.pk) for p in Phase.objects.filter(plan=plan)])
        Assignment.objects.bulk_create([_copy(a, plan_id=copy.pk) for a in Assignment.objects.filter(plan=plan)])
        document = _copy(
            model, plan_id=copy.pk, state=State.SIGNED, number=None, number_label="", issued_on=None,
            signer_id=signer.pk, title=f"{model.title} (bản đo {tag} {index})",
        )
        document.unit = model.unit  # bulk_create folds the search text from it
        documents.append(document)
    return [d.pk for d in Document.objects.bulk_create(documents)]


def _issue_many(clerk_username, document_ids, warmed=None):
    """Issue the documents one after another; the first one untimed, since a fresh process loads its
    templates and compiles its queries once, and the processes given the same `warmed` barrier
    start their timed parts together. Returns the latencies, when the timed part began and ended,
    and the CPU seconds it took here and in its database server process (None when that cannot be
    read: another machine, or SQLite, whose work is already this process's)."""
    clerk = User.objects.get(username=clerk_username)
    perform_transition(document_ids[0], clerk, "issue")
    if warmed is not None:
        warmed.wait()
    times = []
    cpu_before = _cpu_seconds()
    began = time.perf_counter()
    for pk in document_ids[1:]:
        started = time.perf_counter()
        perform_transition(pk, clerk, "issue")
        times.append(time.perf_counter() - started)
    ended = time.perf_counter()
    cpu_after = _cpu_seconds()
    cpu = None if None in (cpu_before, cpu_after) else cpu_after - cpu_before
    return times, began, ended, cpu


def _cpu_seconds():
    """CPU seconds used so far by this process and by the PostgreSQL process serving its connection
    (read from /proc when the server runs on this machine); None if the server's cannot be read."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    own = usage.ru_utime + usage.ru_stime
    if connection.vendor != "postgresql":
        return own
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        # Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the command's ")".
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return own + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _register_updates(sequence_id, count):
    times = []
    with connection.cursor() as cursor:
        for _ in range(count):
            began = time.perf_counter()
            cursor.execute("UPDATE documents_numbersequence SET last_number = last_number + 1 WHERE id = %s RETURNING last_number", [sequence_id])
            cursor.fetchone()
            times.append(time.perf_counter() - began)
    return times


def person(commune, role, function=None):
    """The first account of `commune` holding `role` (in the unit of `function` if given)."""
    people = User.objects.filter(Q(unit__commune=commune) | Q(commune=commune)).select_related("unit").distinct().order_by("pk")
    return next(u for u in people if u.has_role(role) and (function is None or (u.unit and u.unit.function == function)))


def clerk_of(commune):
    return person(commune, "clerk")


def _timed(results):
    """Latencies of all processes, and their issues per second over the timed parts (the processes
    are released together; perf_counter is the same clock in all of them)."""
    times = [t for r in results for t in r[0]]
    wall = max(r[2] for r in results) - min(r[1] for r in results)
    return times, len(times) / wall


def issuing_rows(communes, *, per_run, clients):
    """Issuing in one process, in four communes at once (one process each, `per_run` issues each) and
    in one commune from `clients` processes. Each process issues one document untimed first; the
    parallel ones then start their timed parts together.

    The four communes never wait for each other (only a register's row is serial), so what they
    reach over one process is bounded by the machine: issuing keeps a core busy (the Word render in
    Python, then PostgreSQL), so N cores give at most N ÷ (CPU seconds per issue) per second. The
    report gives that ceiling, measured in the one-process run, beside the ratio reached."""
    rows = []
    tag = f"i{int(time.time())}"
    first = communes[0]
    ids = signed_documents(first, per_run + 1, f"{tag}-a")
    results, _ = in_processes(_issue_many, [(clerk_of(first).username, ids)])
    times, one_rate = _timed(results)
    median, high = summary(times)
    cpu = results[0][3]
    rows.append(Row("issue, 1 process, one commune", median, high,
                    extra=f"{one_rate:.2f}/s" + (f"; {cpu * 1000 / per_run:.0f} ms of CPU per issue (application and database)" if cpu else "")))

    four = communes[:4]
    warmed = multiprocessing.get_context("fork").Barrier(len(four))
    jobs = [(clerk_of(c).username, signed_documents(c, per_run + 1, f"{tag}-b"), warmed) for c in four]
    results, _ = in_processes(_issue_many, jobs)
    times, four_rate = _timed(results)
    median, high = summary(times)
    extra = f"{four_rate:.2f}/s = {four_rate / one_rate:.2f}× one process"
    if cpu:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ceiling = cores / (cpu / per_run)
        extra += f"; ceiling of this machine {ceiling / one_rate:.2f}× ({cores} cores ÷ CPU per issue = {ceiling:.1f}/s)"
    rows.append(Row(f"issue, {len(four)} communes in parallel (1 process each)", median, high, extra=extra))

    ids = signed_documents(first, per_run + clients, f"{tag}-c")
    warmed = multiprocessing.get_context("fork").Barrier(clients)
    jobs = [(clerk_of(first).username, ids[i::clients], warmed) for i in range(clients)]
    results, _ = in_processes(_issue_many, jobs)
    times, same_rate = _timed(results)
    median, high = summary(times)
    sequence = NumberSequence.objects.filter(commune=first).order_by("-year").first()
    base, base_wall = in_processes(_register_updates, [(sequence.pk, max(1, per_run // clients))] * clients)
    b_median, b_high = summary([t for r in base for t in r])
    rows.append(Row(f"issue, {clients} processes, one commune", median, high, "raw UPDATE … RETURNING of the sequence row, same processes",
                    b_median, b_high, extra=f"{same_rate:.2f}/s (baseline {per_run / base_wall:.0f}/s)"))
    # The baseline took numbers: give them back so the register stays consistent for the next run.
    NumberSequence.objects.filter(pk=sequence.pk).update(last_number=sequence.last_number)
    return rows


# --- rendering ---------------------------------------------------------------------------------
def rendering_row(rounds=15):
    document = Document.objects.filter(kind=Kind.PLAN).order_by("pk").first()
    context = build_context(document, final=False)
    _, template = active_template(document.kind)

    def bare():
        # docxtpl as its documentation shows it: its own Jinja environment, autoescaped.
        tpl = DocxTemplate(io.BytesIO(template))
        tpl.render(context, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)

    def ours():
        render_template(template, context, author=document.commune.name)

    bare(), ours()
    times = {"bare": [], "ours": []}
    for _ in range(rounds):
        for name, call in (("bare", bare), ("ours", ours)):
            began = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - began)
    median, high = summary(times["ours"])
    b_median, b_high = summary(times["bare"])
    return Row("Word render of the plan (render_template)", median, high, "bare docxtpl render + save, same template and context", b_median, b_high)


# --- reminders ---------------------------------------------------------------------------------
def reminder_rows():
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    # Each benchmark run measures a first run: what an earlier benchmark run sent is forgotten
    # (this is the benchmark's own database).
    Notification.objects.all().delete()
    ReminderLog.objects.all().delete()
    rows = []
    for label in ("first", "second"):
        began = time.perf_counter()
        result = reminders.run()
        took = time.perf_counter() - began
        rows.append(Row(f"reminder run ({label})", took * 1000, took * 1000, extra=f"planned {result.planned}, sent {result.sent}"))
    return rows


# --- rounds ------------------------------------------------------------------------------------
class _RolledBack(Exception):
    pass


def _rolled_back(work):
    """Seconds `work()` takes inside a transaction that is then rolled back."""
    took = None
    try:
        with transaction.atomic():
            began = time.perf_counter()
            work()
            took = time.perf_counter() - began
            raise _RolledBack
    except _RolledBack:
        pass
    return took


def round_rows(communes, *, sample=20, with_notices=5):
    """Opening a round (its drafts; then with the units' notices delivered inline, as without a
    worker) and compiling the summary report: per commune, and for every commune one after another."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    openings, compilings = [], []
    for commune in communes:
        coordinator = person(commune, "drafter", "coordinator")
        periods = list(Period.objects.filter(plan__commune=commune).order_by("data_end", "pk"))
        closed = next((p for p in periods if p.opened_at is None), None)
        if closed is not None:
            openings.append((closed, coordinator))
        summaries = dict(Document.objects.filter(commune=commune, kind=Kind.SUMMARY_REPORT).values_list("period_id", "state"))
        recompilable = next((p for p in periods if p.opened_at and summaries.get(p.pk, State.DRAFT) in (State.DRAFT, State.RETURNED)), None)
        if recompilable is not None:
            compilings.append((recompilable, coordinator))

    def open_and_tell(period, user):
        opened = open_round(period, user)
        reminders.notify_round_opened([d.pk for d in opened.created])

    rows = []
    cases = [
        ("open a round, one commune (its drafts)", openings[:sample], open_round),
        ("open a round and deliver its notices inline, one commune", openings[:with_notices], open_and_tell),
        ("compile the summary report, one commune", compilings[:sample], compile_period),
    ]
    for what, jobs, work in cases:
        times = [_rolled_back(lambda job=job: work(*job)) for job in jobs]
        if times:
            median, high = summary(times)
            rows.append(Row(what, median, high, extra=f"{len(times)} communes"))
    for what, jobs, work in (("open a round in every commune, one after another", openings, open_round),
                             ("compile in every commune, one after another", compilings, compile_period)):
        if jobs:
            took = _rolled_back(lambda: [work(*job) for job in jobs]) * 1000
            rows.append(Row(what, took, took, extra=f"{len(jobs)} communes"))
    return rows


# --- the report --------------------------------------------------------------------------------
def fmt(value):
    return "" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.1f}")


def report(rows, *, title, facts):
    lines = [f"# {title}", ""]
    lines += [f"- {fact}" for fact in facts]
    lines += ["", "| Measurement | median ms | p95 ms | baseline | baseline median ms | baseline p95 ms | ratio (median) | notes |",
              "|---|---:|---:|---|---:|---:|---:|---|"]
    for row in rows:
        ratio = row.ratio
        lines.append(
            f"| {row.what} | {fmt(row.median_ms)} | {fmt(row.p95_ms)} | {row.baseline} | {fmt(row.base_median_ms)} | "
            f"{fmt(row.base_p95_ms)} | {'' if ratio is None else f'{ratio:.2f}×'} | {row.extra} |"
        )
    return "\n".join(lines) + "\n"


def machine():
    cores = os.cpu_count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        database = cursor.fetchone()[0].split(" on ")[0]
    return f"{platform.processor() or platform.machine()}, {cores} cores, Python {platform.python_version()}, {database}"


def run(*, clients=8, requests=10, issues=40, out=None, log=print):
    documents = Document.objects.count()
    communes = list(Commune.objects.order_by("pk"))
    bench_communes = [c for c in communes if c.code.startswith(PREFIX)] or communes
    sample = bench_communes[0]
    reviewer = person(sample, "reviewer", "coordinator")
    period = Document.objects.filter(commune=sample, kind=Kind.UNIT_REPORT).order_by("period__data_end").values_list("period__code", flat=True).first()
    rows = []
    log("render…")
    rows.append(rendering_row())
    pages = [
        ("web search q=chuyen doi so, page 1", "/van-ban/tra-cuu/?q=chuyen+doi+so",
         "SELECT id, title, state, updated_at FROM workflows_document WHERE commune_id = %s AND search_text LIKE %s ORDER BY updated_at DESC, id DESC LIMIT 20",
         [sample.pk, "% chuyen doi so%"]),
        ("web search without text, page 1", "/van-ban/tra-cuu/",
         "SELECT id, title, state, updated_at FROM workflows_document WHERE commune_id = %s ORDER BY updated_at DESC, id DESC LIMIT 20", [sample.pk]),
        (f"API GET /api/v1/documents?period={period}&page=1", f"/api/v1/documents?period={period}&page=1&limit=20",
         "SELECT d.id, d.title, d.state FROM workflows_document d JOIN plans_period p ON p.id = d.period_id WHERE d.commune_id = %s AND p.code = %s ORDER BY d.updated_at DESC, d.id DESC LIMIT 20",
         [sample.pk, period]),
        ("web review queue /tham-dinh/", "/tham-dinh/",
         "SELECT id, title, state FROM workflows_document WHERE commune_id = %s AND state IN ('submitted', 'under_review') ORDER BY submitted_at, id LIMIT 20",
         [sample.pk]),
    ]
    for what, path, sql, params in pages:
        log(f"{what}…")
        try:
            rows.append(concurrent_page(what, reviewer.username, path, sql, params, clients=clients, requests=requests))
        except RuntimeError as exc:
            rows.append(Row(what, float("nan"), float("nan"), extra=f"failed: {exc}"))
    log("issue…")
    rows += issuing_rows(bench_communes, per_run=issues, clients=clients)
    log("reminders…")
    rows += reminder_rows()
    log("rounds…")
    rows += round_rows(bench_communes)
    facts = [
        f"{timezone.localtime():%d/%m/%Y %H:%M} — {machine()}",
        f"dataset: {len(communes)} communes, {documents:,} documents; {clients} concurrent clients × {requests} requests per page; {issues} issues per run",
        f"pages as `{reviewer.username}` (reviewer of {sample.short_name}) through Django's test client in separate processes (no HTTP server)",
    ]
    text = report(rows, title="Benchmark (issue 15)", facts=facts)
    if out:
        os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
    return text
