"""Deadline reminders, overdue notices, review reminders and transition notices, each sent once.

Rules (per commune, timing in rounds.models.RoundSettings, editable in the admin):
- due_soon: a unit report still in draft/returned is reminded N days before the period's deadline
  for each N in reminder_days_before (default 3 and 1). If a run finds several offsets due at once
  (the round was opened late, or cron was down) only the nearest one is sent; the others are
  recorded as superseded, so nobody gets "3 days left" and "1 day left" in the same minute.
- overdue / overdue_coordinator: the day after the deadline, a report still not submitted is
  reported overdue to the unit and to the coordinator unit (Phòng VH-XH).
- review_pending: a report submitted (or taken for review) more than review_after_days days ago
  and still not approved or returned reminds its reviewer (the one who took it, otherwise everyone
  who may review it by workflows.policy: never its authors, and the office's reviewers for the
  reviewing unit's own report when that unit has nobody else); once per submission.
- returned / approved: the authors are told when their document is returned or approved
  (subscribed to workflows.signals.document_transitioned in rounds.apps).

Exactly once: the outbox protocol
1. Plan: decide which messages are due and INSERT one ReminderLog row per message with
   ON CONFLICT DO NOTHING on the unique key (document, kind, offset). Recipients and text are
   fixed in the row. Running this any number of times, or in parallel, yields one row per key,
   and a row, once written, is never forgotten: a message that became due is never skipped.
2. Deliver: for each pending row, in its own transaction: claim the row (SELECT ... FOR UPDATE
   SKIP LOCKED, so parallel runs never take the same row, then a conditional UPDATE ... WHERE
   status = 'pending', which does the same job on SQLite), re-check that it still matters (a
   report submitted meanwhile gets no reminder), create the in-app notifications, send the e-mail,
   mark the row sent, commit. If sending fails, the transaction rolls back (no notifications
   either), the attempt and error are recorded and the next run retries. If the process dies
   half-way, the open transaction is rolled back by the database: rows already committed are
   sent and are not sent again; the rest stay pending and the next run sends them.
   In-app notifications are exactly-once (same transaction as the "sent" mark). For e-mail the
   only remaining window is a crash after the SMTP server accepted the message and before the
   commit (milliseconds); that message would be re-sent once by the next run, never skipped.

Where it runs (rounds.tasks): the periodic run is the Celery task `send_reminders`, scheduled by
beat every REMINDER_INTERVAL_SECONDS; `manage.py send_reminders` from cron or a systemd timer is
the alternative, and both at once still deliver each row once (the claim above). A transition
notice is planned right after its transition commits and delivered by the task `deliver_notice`
on a worker (inline without REDIS_URL); if that task is lost, the row stays pending and the next
run delivers it.
"""
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from accounts.models import Role, User
from plans.formatting import date_vn
from workflows import policy
from workflows.models import AuditEntry, Document, Kind, State

from .formatting import data_window_sentence
from .models import Notification, ReminderLog, RoundSettings

log = logging.getLogger(__name__)

DELIVER_NOTICE_TASK = "rounds.tasks.deliver_notice"

NOT_SUBMITTED = (State.DRAFT, State.RETURNED)
WAITING_REVIEW = (State.SUBMITTED, State.UNDER_REVIEW)
K = ReminderLog.Kind


@dataclass
class RunResult:
    planned: int = 0
    sent: int = 0
    superseded: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)


# --- recipients ---------------------------------------------------------------------------

class Directory:
    """Who to write to, loaded once per run in one query for a set of units and communes, and
    indexed by unit and by commune: finding a unit's staff, a commune's coordinators or a
    document's reviewers looks at those people only, not at everyone of the province."""

    def __init__(self, unit_ids, commune_ids):
        people = list(
            User.objects.filter(is_active=True)
            .filter(Q(unit_id__in=unit_ids) | Q(unit__commune_id__in=commune_ids))
            .select_related("unit")
            .order_by("id")
        )
        self.by_unit = {}
        self.by_commune = {}
        for person in people:
            self.by_unit.setdefault(person.unit_id, []).append(person)
            if person.unit:
                self.by_commune.setdefault(person.unit.commune_id, []).append(person)
        self.people = people
        self._function_staff = {}

    def unit_staff(self, unit):
        users = [u for u in self.by_unit.get(unit.pk, []) if u.has_role(Role.DRAFTER)]
        emails = [u.email for u in users if u.email]
        if unit.email:
            emails.append(unit.email)
        return users, emails

    def function_staff(self, commune_id, function, role):
        key = (commune_id, function, role)
        if key not in self._function_staff:
            users = [u for u in self.by_commune.get(commune_id, []) if u.unit.function == function and u.has_role(role)]
            self._function_staff[key] = (users, [u.email for u in users if u.email])
        users, emails = self._function_staff[key]
        return list(users), list(emails)

    def reviewers_of(self, document):
        """Everyone who may review the document (four eyes: not its authors)."""
        return [
            u for u in self.by_commune.get(document.commune_id, [])
            if u.has_role(Role.REVIEWER) and policy.may(u, "start_review", document)
        ]


def _dedupe(values):
    return list(dict.fromkeys(v for v in values if v))


def _row(document, kind, offset, users, emails, subject, body, status=ReminderLog.Status.PENDING):
    return ReminderLog(
        document=document,
        kind=kind,
        offset=offset,
        status=status,
        subject=subject[:300],
        body=body,
        user_ids=_dedupe(u.pk for u in users),
        emails=_dedupe(e.strip().lower() for e in emails),
    )


# --- messages --------------------------------------------------------------------------

def _signature():
    return "\n\nThư này do hệ thống quản lý văn bản gửi tự động; vui lòng không trả lời thư này."


def _due_soon(document, days_left):
    period = document.period
    when = "hôm nay là hạn cuối" if days_left == 0 else f"còn {days_left} ngày"
    subject = f"Nhắc nộp báo cáo {period.name.lower()}: {when} (hạn {date_vn(period.deadline)})"
    body = (
        f"Kính gửi {document.unit.name},\n\n"
        f"Báo cáo «{document.title}» cần được trình về UBND xã (qua cơ quan thường trực) "
        f"chậm nhất ngày {date_vn(period.deadline)}; {when}. "
        f"Báo cáo hiện ở trạng thái «{document.get_state_display()}».\n"
        f"{data_window_sentence(period)}" + _signature()
    )
    return subject, body


def _overdue(document, for_coordinator):
    period = document.period
    if for_coordinator:
        subject = f"Báo cáo quá hạn: {document.unit.name} ({period.name.lower()})"
        body = (
            f"{document.unit.name} chưa trình báo cáo «{document.title}»; hạn nộp là ngày "
            f"{date_vn(period.deadline)}. Báo cáo hiện ở trạng thái «{document.get_state_display()}»." + _signature()
        )
    else:
        subject = f"Báo cáo {period.name.lower()} đã quá hạn nộp ({date_vn(period.deadline)})"
        body = (
            f"Kính gửi {document.unit.name},\n\nBáo cáo «{document.title}» đã quá hạn nộp ngày "
            f"{date_vn(period.deadline)} mà chưa được trình. Đề nghị đơn vị hoàn thiện và trình ngay; "
            f"cơ quan thường trực đã được thông báo." + _signature()
        )
    return subject, body


def _review_pending(document, days):
    subject = f"Nhắc thẩm định: báo cáo của {document.unit.name} đã chờ {days} ngày"
    body = (
        f"Văn bản «{document.title}» của {document.unit.name} được trình ngày "
        f"{date_vn(timezone.localtime(document.submitted_at).date())} và đến nay ({days} ngày) vẫn đang ở trạng thái "
        f"«{document.get_state_display()}». Đề nghị xem xét, duyệt hoặc trả lại để đơn vị kịp hoàn thiện." + _signature()
    )
    return subject, body


# --- planning --------------------------------------------------------------------------

def plan_reminders(now=None):
    """Insert the rows of every message due at `now`. Returns the number of new pending rows."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    configs = {s.commune_id: s for s in RoundSettings.objects.all()}

    def config(commune_id):
        if commune_id not in configs:
            configs[commune_id] = RoundSettings.for_commune(commune_id)  # no row: the defaults
        return configs[commune_id]

    longest = max([3, 1] + [d for s in configs.values() for d in s.reminder_days])
    # An overdue report whose two notices are written has nothing left to plan: the database leaves
    # it out, so a routine run at province scale reads only what may still be due.
    notified = Exists(ReminderLog.objects.filter(document=OuterRef("pk"), kind=K.OVERDUE)) & Exists(
        ReminderLog.objects.filter(document=OuterRef("pk"), kind=K.OVERDUE_COORDINATOR)
    )
    late = list(
        Document.objects.filter(
            kind=Kind.UNIT_REPORT,
            state__in=NOT_SUBMITTED,
            period__opened_at__isnull=False,
            period__deadline__lte=today + timedelta(days=longest),
        )
        .exclude(Q(period__deadline__lt=today) & notified)
        .select_related("unit", "period")
    )
    # Only submissions older than the shortest waiting time of any commune can be due: the others
    # stay in the database instead of being read, with their reviewers, on every run.
    shortest_wait = min([s.review_after_days for s in configs.values()] + [RoundSettings.for_commune(None).review_after_days])
    waiting_qs = (
        Document.objects.filter(state__in=WAITING_REVIEW, submitted_at__isnull=False, submitted_at__lte=now - timedelta(days=shortest_wait))
        .select_related("unit", "period", "reviewer", "reviewer__unit")
        .annotate(submissions=Count("audit_entries", filter=Q(audit_entries__transition="submit")))
    )
    waiting = policy.load_four_eyes(waiting_qs, within=waiting_qs)
    commune_ids = {d.commune_id for d in late + waiting}
    directory = Directory({d.unit_id for d in late}, commune_ids)
    rows = []
    for document in late:
        days_left = (document.period.deadline - today).days
        users, emails = directory.unit_staff(document.unit)
        if days_left >= 0:
            due = sorted(d for d in config(document.commune_id).reminder_days if d >= days_left)
            subject, body = _due_soon(document, days_left)
            for index, offset in enumerate(due):
                status = ReminderLog.Status.PENDING if index == 0 else ReminderLog.Status.SUPERSEDED
                rows.append(_row(document, K.DUE_SOON, offset, users, emails, subject, body, status))
        else:
            subject, body = _overdue(document, for_coordinator=False)
            rows.append(_row(document, K.OVERDUE, 0, users, emails, subject, body))
            c_users, c_emails = directory.function_staff(document.commune_id, "coordinator", Role.DRAFTER)
            subject, body = _overdue(document, for_coordinator=True)
            rows.append(_row(document, K.OVERDUE_COORDINATOR, 0, c_users, c_emails, subject, body))
    for document in waiting:
        wait = config(document.commune_id).review_after_days
        if document.submitted_at > now - timedelta(days=wait):
            continue
        if document.state == State.UNDER_REVIEW and document.reviewer_id:
            users = [document.reviewer]
            emails = [document.reviewer.email]
        else:
            users = directory.reviewers_of(document)
            emails = [u.email for u in users if u.email]
        days = (today - timezone.localdate(document.submitted_at)).days
        subject, body = _review_pending(document, days)
        rows.append(_row(document, K.REVIEW_PENDING, max(document.submissions, 1), users, emails, subject, body))
    if not rows:
        return 0
    # Skip keys already written (most of them, on a routine run); the unique key still guards
    # against a parallel run inserting the same row in between.
    existing = set(
        ReminderLog.objects.filter(document_id__in={r.document_id for r in rows}).values_list("document_id", "kind", "offset")
    )
    new = [r for r in rows if (r.document_id, r.kind, r.offset) not in existing]
    if new:
        ReminderLog.objects.bulk_create(new, ignore_conflicts=True)
    return sum(1 for r in new if r.status == ReminderLog.Status.PENDING)


# --- delivery --------------------------------------------------------------------------

def _still_relevant(row, today):
    document = row.document
    if row.kind == K.DUE_SOON:
        return document.state in NOT_SUBMITTED and document.period.deadline >= today
    if row.kind in (K.OVERDUE, K.OVERDUE_COORDINATOR):
        return document.state in NOT_SUBMITTED
    if row.kind == K.REVIEW_PENDING:
        return document.state in WAITING_REVIEW
    return True  # transition notices: the event happened


def deliver(row_id, now=None):
    """Deliver one pending row; returns 'sent', 'superseded', 'skipped' or 'failed'."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            row = (
                ReminderLog.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("document", "document__period")
                .filter(pk=row_id, status=ReminderLog.Status.PENDING)
                .first()
            )
            if row is None:
                return "skipped"  # sent by a parallel run, or taken by one right now
            # The claim. On PostgreSQL the row lock above already excludes other runs; on SQLite,
            # which has no row locks, this conditional write serialises runs: a second run that
            # read the row as pending matches nothing here once the first has committed.
            if not ReminderLog.objects.filter(pk=row_id, status=ReminderLog.Status.PENDING).update(attempts=F("attempts") + 1):
                return "skipped"
            if not _still_relevant(row, timezone.localdate(now)):
                row.status = ReminderLog.Status.SUPERSEDED
                row.save(update_fields=["status"])
                return "superseded"
            active = set(User.objects.filter(pk__in=row.user_ids, is_active=True).values_list("pk", flat=True))
            Notification.objects.bulk_create(
                [Notification(user_id=uid, document_id=row.document_id, kind=row.kind, message=row.subject) for uid in row.user_ids if uid in active]
            )
            if row.emails:
                # A bounded timeout: without workers, transition notices are delivered inside a web request.
                connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 10)
                EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, to=row.emails, connection=connection).send()
            row.status = ReminderLog.Status.SENT
            row.sent_at = now
            row.last_error = ""
            row.save(update_fields=["status", "sent_at", "last_error"])
            return "sent"
    except Exception as exc:  # noqa: BLE001 - any delivery error is recorded and retried next run
        log.warning("Reminder %s not delivered: %s", row_id, exc)
        ReminderLog.objects.filter(pk=row_id, status=ReminderLog.Status.PENDING).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:2000] or exc.__class__.__name__
        )
        return "failed"


def deliver_pending(now=None, result=None):
    result = result or RunResult()
    for row_id in ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).order_by("id").values_list("id", flat=True):
        outcome = deliver(row_id, now)
        if outcome == "sent":
            result.sent += 1
        elif outcome == "superseded":
            result.superseded += 1
        elif outcome == "failed":
            result.failed += 1
            result.errors.append(ReminderLog.objects.filter(pk=row_id).values_list("last_error", flat=True).first())
    return result


def run(now=None):
    """One scheduler tick: plan what is due, then deliver everything pending (also older rows)."""
    now = now or timezone.now()
    result = RunResult()
    result.planned = plan_reminders(now)
    return deliver_pending(now, result)


# --- transition notices ----------------------------------------------------------------

NOTICE_KINDS = {"return": K.RETURNED, "send_back": K.RETURNED, "approve": K.APPROVED}


def notify_transition(document_id, transition):
    """Tell the authors their document was returned or approved (called after commit): the row is
    planned here and delivered inline, or queued to a worker when there are workers."""
    kind = NOTICE_KINDS.get(transition)
    if kind is None:
        return None
    entry = (
        AuditEntry.objects.filter(document_id=document_id, transition=transition)
        .select_related("document", "document__unit", "actor")
        .order_by("-at", "-id")
        .first()
    )
    if entry is None:
        return None
    document = entry.document
    users, emails = Directory({document.unit_id}, set()).unit_staff(document.unit)
    actor = entry.actor.full_name or entry.actor.username
    if kind == K.RETURNED:
        subject = f"Văn bản bị trả lại: {document.title}"[:300]
        body = f"{actor} đã trả lại văn bản «{document.title}» để hoàn thiện.\nÝ kiến: {entry.comment}" + _signature()
    else:
        subject = f"Văn bản đã được duyệt: {document.title}"[:300]
        body = f"{actor} đã duyệt văn bản «{document.title}»." + (f"\nÝ kiến: {entry.comment}" if entry.comment else "") + _signature()
    ReminderLog.objects.bulk_create([_row(document, kind, entry.pk, users, emails, subject, body)], ignore_conflicts=True)
    row_id = ReminderLog.objects.filter(document=document, kind=kind, offset=entry.pk).values_list("id", flat=True).first()
    if row_id is None:
        return None
    if current_app.conf.task_always_eager:
        # A failure here is recorded on the row and retried by the next send_reminders run.
        return deliver(row_id)
    try:
        # By name: rounds.tasks imports this module, not the other way round.
        current_app.send_task(DELIVER_NOTICE_TASK, args=[row_id])
    except Exception:  # noqa: BLE001 - broker down: the row stays pending for the next run
        log.exception("Could not queue notice %s; the next reminder run sends it", row_id)
    return "queued"
