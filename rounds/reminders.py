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
- every step of the lifecycle (subscribed to workflows.signals.document_transitioned in rounds.apps):
  the people who must act next are told (reviewers on submit, signers on approve, the văn thư on
  sign) and the authors when their document is returned, approved, signed or issued; the notices
  whose step was taken are marked done (`mark_done`: «bị trả lại» when the author submits again,
  «chờ ký» when it is signed, …). Opening a round tells each unit its draft is waiting.
- e-mail goes to a person only when they have an address and want it (User.email_notifications);
  the in-app notice is always created.

Exactly once: the outbox protocol
1. Plan: decide which messages are due and INSERT one ReminderLog row per message with
   ON CONFLICT DO NOTHING on the unique key (document, kind, offset). Recipients and text are
   fixed in the row. Running this any number of times, or in parallel, yields one row per key,
   and a row, once written, is never forgotten: a message that became due is never skipped.
2. Deliver: each row in two steps, each its own transaction that first claims the row (SELECT ...
   FOR UPDATE SKIP LOCKED, so parallel runs never take the same row, then a conditional UPDATE
   ... WHERE status = <the step's status>, which does the same job on SQLite):
   a. a 'pending' row: re-check that it still matters (a report submitted meanwhile gets no
      reminder), create the in-app notifications and move the row to 'mail_pending' (to 'sent'
      when it has no address), commit;
   b. a 'mail_pending' row: re-check again, send the e-mail, mark the row 'sent', commit.
   A failure rolls back its own step only: the attempt and error are recorded and the next run
   retries that step, unless the server refused every address for good (5xx): that row ends as
   'refused', with the reason. A mail server that is down thus delays the e-mail, never the in-app notices;
   once it fails in a run (not a refused address, which concerns its own message), the run leaves
   its other e-mails to the next one instead of waiting out the timeout for each.
   If the process dies half-way, the open transaction is rolled back by the database: steps
   already committed are not done again; the rest are done by the next run.
   In-app notifications are exactly-once (same transaction as the move past 'pending'). For e-mail
   the only remaining window is a crash after the SMTP server accepted the message and before the
   commit (milliseconds); that message would be re-sent once by the next run, never skipped.

Where it runs (rounds.tasks): the periodic run is the Celery task `send_reminders`, scheduled by
beat every REMINDER_INTERVAL_SECONDS; `manage.py send_reminders` from cron or a systemd timer is
the alternative, and both at once still deliver each row once (the claim above). A transition
notice is planned right after its transition commits and delivered by the task `deliver_notice`
on a worker (inline without REDIS_URL); if that task is lost, the row stays pending and the next
run delivers it. Inline, in the request that took the step, the e-mail is left to the next run for
five minutes after one failed (MAIL_DOWN_KEY), so a mail server that is down does not hold every
click for its connection timeout.
"""
import logging
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from organizations.models import Unit
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
    deferred: int = 0  # in-app notices delivered, e-mail left to the next run (mail server down)
    errors: list = field(default_factory=list)


# --- recipients ---------------------------------------------------------------------------

class Directory:
    """Who to write to, loaded once per run for a set of units and communes, and indexed by unit
    and by commune: finding a unit's staff, a commune's coordinators or a document's reviewers
    looks at those people only, not at everyone of the province.

    Two queries, the staff of the units and the people attached to the communes, each served by its
    index: one query with an OR across the join to the units made PostgreSQL read every account and
    every unit of the province (15 ms at 500 communes, for each transition notice)."""

    def __init__(self, unit_ids, commune_ids):
        units = Unit.objects.filter(Q(pk__in=unit_ids) | Q(commune_id__in=commune_ids)).values("pk")
        active = User.objects.filter(is_active=True).select_related("unit")
        found = {person.pk: person for person in active.filter(unit_id__in=units)}
        if commune_ids:
            found.update((person.pk, person) for person in active.filter(commune_id__in=commune_ids))
        people = [found[pk] for pk in sorted(found)]
        self.by_unit = {}
        self.by_commune = {}
        self.by_home_commune = {}  # unit staff and people of no unit (the Chủ tịch, Phó Chủ tịch)
        for person in people:
            self.by_unit.setdefault(person.unit_id, []).append(person)
            if person.unit:
                self.by_commune.setdefault(person.unit.commune_id, []).append(person)
            self.by_home_commune.setdefault(person.home_commune_id, []).append(person)
        self.people = people
        self._function_staff = {}

    def unit_staff(self, unit):
        users = [u for u in self.by_unit.get(unit.pk, []) if u.has_role(Role.DRAFTER)]
        emails = mail_to(users)
        if unit.email:
            emails.append(unit.email)
        return users, emails

    def function_staff(self, commune_id, function, role):
        key = (commune_id, function, role)
        if key not in self._function_staff:
            users = [u for u in self.by_commune.get(commune_id, []) if u.unit.function == function and u.has_role(role)]
            self._function_staff[key] = (users, mail_to(users))
        users, emails = self._function_staff[key]
        return list(users), list(emails)

    def reviewers_of(self, document):
        """Everyone who may review the document (four eyes: not its authors)."""
        return [
            u for u in self.by_commune.get(document.commune_id, [])
            if u.has_role(Role.REVIEWER) and policy.may(u, "start_review", document)
        ]

    def who_may(self, name, document):
        """Everyone of the document's commune who may take step `name` on it (workflows.policy)."""
        return [u for u in self.by_home_commune.get(document.commune_id, []) if policy.may(u, name, document)]


def mail_to(users):
    """The addresses of those who have one and want notices by e-mail (accounts.User.email_notifications)."""
    return [u.email for u in users if u.email and u.email_notifications]


def _dedupe(values):
    return list(dict.fromkeys(v for v in values if v))


SUBJECT_LIMIT = ReminderLog._meta.get_field("subject").max_length


def _subject(text):
    """The subject of a message, also its in-app text: one line (an e-mail subject cannot hold a
    line break; Django refuses the whole message) of at most SUBJECT_LIMIT characters, cut between
    words with «…». The body keeps the whole text."""
    text = " ".join(text.split())
    if len(text) <= SUBJECT_LIMIT:
        return text
    cut = text[: SUBJECT_LIMIT - 1]
    if " " in cut[SUBJECT_LIMIT // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _row(document, kind, offset, users, emails, subject, body, status=ReminderLog.Status.PENDING):
    return ReminderLog(
        document=document,
        kind=kind,
        offset=offset,
        status=status,
        subject=_subject(subject),
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
        else:
            users = directory.reviewers_of(document)
        emails = mail_to(users)
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
    if row.kind in (K.OVERDUE, K.OVERDUE_COORDINATOR, K.URGE):
        return document.state in NOT_SUBMITTED
    if row.kind == K.REVIEW_PENDING:
        return document.state in WAITING_REVIEW
    if row.kind in STILL_ASKED:
        # A notice asking for a step nobody needs any more (taken meanwhile) is not sent.
        return document.state == STILL_ASKED[row.kind]
    return True  # the other transition notices: the event happened


def deliver(row_id, now=None, *, mail=True):
    """Deliver one row; returns 'sent', 'superseded', 'skipped', 'failed', or 'mail_pending' when
    `mail` is False (the in-app notices are delivered; the e-mail waits on its row for the next run).

    Two steps, each in its own transaction under its own claim: the in-app notices, then the
    e-mail. A mail server that is down holds back the e-mail only; the notices are already there.
    `attempts` counts the calls that tried the row."""
    return _deliver(row_id, now or timezone.now(), mail)[0]


def _deliver(row_id, now, mail):
    """(outcome as `deliver` says, whether the e-mail failed because the mail server is down)."""
    try:
        outcome = _notify_in_app(row_id, now)
    except Exception as exc:  # noqa: BLE001 - recorded on the row, retried by the next run
        _record_failure(row_id, ReminderLog.Status.PENDING, exc, attempt=True)
        return "failed", False
    if outcome == ReminderLog.Status.MAIL_PENDING and mail:
        return _mail(row_id, now, attempt=False)  # the attempt is step 1's
    if outcome == "skipped" and mail:
        return _mail(row_id, now, attempt=True)  # a row whose e-mail failed before, if it is one
    return outcome, False


def _record_failure(row_id, status, exc, *, attempt, status_after=None):
    log.warning("Reminder %s not delivered: %s", row_id, exc)
    ReminderLog.objects.filter(pk=row_id, status=status).update(
        status=status_after or status,
        attempts=F("attempts") + (1 if attempt else 0),
        last_error=str(exc)[:2000] or exc.__class__.__name__,
    )


# After the mail server failed, deliveries inside a web request (no workers) leave their e-mails to
# the next run for a while, instead of holding every click for the server's connection timeout.
MAIL_DOWN_KEY = "rounds:mail-down"
MAIL_DOWN_SECONDS = 300


def addresses_refused_for_good(exc):
    """The server refused every address of the message with a permanent (5xx) answer."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and bool(exc.recipients) and all(
        code >= 500 for code, _ in exc.recipients.values()
    )


def mail_server_down(exc):
    """The mail server or the way to it failed (refused, timed out, TLS, login, hung up), not this
    one message (a refused recipient or content), which says nothing of the next message."""
    if isinstance(exc, (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)):
        return False
    return isinstance(exc, OSError)  # smtplib's errors are OSErrors too


# A row still owes its in-app notices (pending) or its e-mail (mail_pending).
UNDELIVERED = (ReminderLog.Status.PENDING, ReminderLog.Status.MAIL_PENDING)


def _claim(row_id, status):
    """The row, if it is in `status` and no other run holds it; None otherwise. Inside a transaction.

    On PostgreSQL the row lock already excludes other runs; on SQLite, which has no row locks,
    the conditional write serialises them: a second run that read the row in `status` matches
    nothing here once the first has committed."""
    row = (
        ReminderLog.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("document", "document__period")
        .filter(pk=row_id, status=status)
        .first()
    )
    if row is None or not ReminderLog.objects.filter(pk=row_id, status=status).update(status=status):
        return None
    return row


def _notify_in_app(row_id, now):
    """Step 1: the in-app notices, and the row on to mail_pending (sent when it has no address)."""
    with transaction.atomic():
        row = _claim(row_id, ReminderLog.Status.PENDING)
        if row is None:
            return "skipped"  # delivered by a parallel run, taken by one right now, or past this step
        tried = F("attempts") + 1
        if not _still_relevant(row, timezone.localdate(now)):
            ReminderLog.objects.filter(pk=row_id).update(status=ReminderLog.Status.SUPERSEDED, attempts=tried)
            return "superseded"
        active = set(User.objects.filter(pk__in=row.user_ids, is_active=True).values_list("pk", flat=True))
        Notification.objects.bulk_create(
            [Notification(user_id=uid, document_id=row.document_id, kind=row.kind, message=row.subject) for uid in row.user_ids if uid in active]
        )
        if row.emails:
            ReminderLog.objects.filter(pk=row_id).update(status=ReminderLog.Status.MAIL_PENDING, attempts=tried)
            return ReminderLog.Status.MAIL_PENDING
        ReminderLog.objects.filter(pk=row_id).update(status=ReminderLog.Status.SENT, sent_at=now, last_error="", attempts=tried)
        return "sent"


def _mail(row_id, now, *, attempt):
    """Step 2: the e-mail, and the row on to sent; (outcome, whether the mail server is down).

    A failure rolls back this step only and is recorded on the row: the next run tries again,
    except when the server refused every address for good (the row ends as refused). A server that
    is down is noted for a while (MAIL_DOWN_KEY)."""
    tried = F("attempts") + (1 if attempt else 0)
    try:
        with transaction.atomic():
            row = _claim(row_id, ReminderLog.Status.MAIL_PENDING)
            if row is None:
                return "skipped", False
            if not _still_relevant(row, timezone.localdate(now)):
                # E.g. a report submitted while the mail server was down gets no reminder by mail.
                ReminderLog.objects.filter(pk=row_id).update(status=ReminderLog.Status.SUPERSEDED, attempts=tried)
                return "superseded", False
            # A bounded timeout: without workers, transition notices are delivered inside a web request.
            connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 10)
            EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, to=row.emails, connection=connection).send()
            ReminderLog.objects.filter(pk=row_id).update(status=ReminderLog.Status.SENT, sent_at=now, last_error="", attempts=tried)
            return "sent", False
    except Exception as exc:  # noqa: BLE001 - recorded on the row, retried by the next run
        refused = addresses_refused_for_good(exc)
        _record_failure(
            row_id, ReminderLog.Status.MAIL_PENDING, exc, attempt=attempt,
            status_after=ReminderLog.Status.REFUSED if refused else None,
        )
        down = not refused and mail_server_down(exc)
        if down:
            try:
                cache.set(MAIL_DOWN_KEY, True, MAIL_DOWN_SECONDS)
            except Exception:  # noqa: BLE001 - a cache that fails too only loses the shortcut
                log.warning("Could not note that the mail server is down")
        return "failed", down


def deliver_pending(now=None, result=None):
    """Deliver every row that still owes something. Once the mail server fails in this run, the
    rows after it get their in-app notices and leave their e-mails to the next run (`deferred`):
    a run does not wait out the connection timeout once per row."""
    result = result or RunResult()
    now = now or timezone.now()
    mail = True
    for row_id, status in ReminderLog.objects.filter(status__in=UNDELIVERED).order_by("id").values_list("id", "status"):
        if status == ReminderLog.Status.MAIL_PENDING and not mail:
            result.deferred += 1
            continue
        outcome, down = _deliver(row_id, now, mail)
        if outcome == "sent":
            result.sent += 1
        elif outcome == "superseded":
            result.superseded += 1
        elif outcome == ReminderLog.Status.MAIL_PENDING:
            result.deferred += 1
        elif outcome == "failed":
            result.failed += 1
            result.errors.append(ReminderLog.objects.filter(pk=row_id).values_list("last_error", flat=True).first())
            mail = mail and not down
    return result


def run(now=None):
    """One scheduler tick: plan what is due, then deliver everything pending (also older rows)."""
    now = now or timezone.now()
    result = RunResult()
    result.planned = plan_reminders(now)
    return deliver_pending(now, result)


# --- transition notices ----------------------------------------------------------------

# Who is told of each step: (kind of notice, audience). The people who must act next, and the
# authors when their document is returned, approved, signed or issued. Nobody is told of their own step.
TRANSITION_NOTICES = {
    "submit": [(K.TO_REVIEW, "reviewers")],
    "return": [(K.RETURNED, "authors")],
    "send_back": [(K.RETURNED, "authors")],
    "approve": [(K.APPROVED, "authors"), (K.TO_SIGN, "signers")],
    "sign": [(K.SIGNED, "authors"), (K.TO_ISSUE, "clerks")],
    "issue": [(K.ISSUED, "authors")],
}
# A notice asking for a step is sent only while the document still waits for it (see _still_relevant).
STILL_ASKED = {K.TO_REVIEW: State.SUBMITTED, K.TO_SIGN: State.APPROVED, K.TO_ISSUE: State.SIGNED, K.RETURNED: State.RETURNED}
# The notices whose step a transition takes: marked done (and read) for everyone who got one.
DONE_BY = {
    "submit": (K.ROUND_OPENED, K.DUE_SOON, K.OVERDUE, K.OVERDUE_COORDINATOR, K.URGE, K.RETURNED),
    "withdraw": (K.TO_REVIEW, K.REVIEW_PENDING, K.HAND_OVER),
    "start_review": (K.TO_REVIEW,),
    "return": (K.TO_REVIEW, K.REVIEW_PENDING, K.HAND_OVER),
    "approve": (K.TO_REVIEW, K.REVIEW_PENDING, K.HAND_OVER),
    "sign": (K.TO_SIGN, K.HAND_OVER),
    "send_back": (K.TO_SIGN, K.TO_ISSUE, K.HAND_OVER),
    "issue": (K.TO_ISSUE, K.HAND_OVER),
}


def document_link(document_id):
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('van-ban:detail', args=[document_id])}"


def _name(user):
    return user.full_name or user.username


def _what(document):
    period = f", {document.period.name}" if document.period_id else ""
    return f"{document.get_kind_display()} «{document.title}» của {document.unit.name}{period}"


def _notice_text(kind, entry, document):
    """(subject, body) of a transition notice: the subject is also the in-app message."""
    actor = _name(entry.actor)
    when = date_vn(timezone.localdate(entry.at))
    comment = f"\nÝ kiến: {entry.comment}" if entry.comment else ""
    link = f"\n\nXem văn bản: {document_link(document.pk)}"
    if kind == K.TO_REVIEW:
        subject = f"Văn bản chờ thẩm định: {document.title}"
        body = f"{actor} đã trình {_what(document)} ngày {when}. Đề nghị nhận thẩm định, duyệt hoặc trả lại."
    elif kind == K.RETURNED:
        subject = f"Văn bản bị trả lại: {document.title}"
        body = f"{actor} đã trả lại văn bản «{document.title}» ngày {when} để hoàn thiện.{comment}\nĐề nghị sửa và trình lại."
        comment = ""
    elif kind == K.APPROVED:
        subject = f"Văn bản đã được duyệt: {document.title}"
        then = " Văn bản đã được chuyển lãnh đạo UBND ký." if document.needs_signature else ""
        body = f"{actor} đã duyệt văn bản «{document.title}» ngày {when}.{then}"
    elif kind == K.TO_SIGN:
        subject = f"Văn bản chờ ký: {document.title}"
        body = f"{actor} đã duyệt {_what(document)} ngày {when}. Đề nghị đồng chí xem, ký ban hành hoặc trả lại để sửa."
    elif kind == K.SIGNED:
        subject = f"Văn bản đã được ký: {document.title}"
        body = f"{actor} đã ký văn bản «{document.title}» ngày {when}. Văn bản được chuyển văn thư cấp số, phát hành."
    elif kind == K.TO_ISSUE:
        subject = f"Văn bản chờ cấp số, phát hành: {document.title}"
        body = f"{actor} đã ký {_what(document)} ngày {when}. Đề nghị văn thư cấp số và phát hành."
    else:  # K.ISSUED
        number = f" số {document.number_label}" if document.number_label else ""
        subject = f"Văn bản đã ban hành{number}: {document.title}"
        body = f"{actor} đã cấp số và phát hành văn bản{number} «{document.title}» ngày {when}."
    return subject, body + comment + link + _signature()


def _audience(audience, document, directory):
    if audience == "authors":
        return directory.unit_staff(document.unit)
    name = {"reviewers": "start_review", "signers": "sign", "clerks": "issue"}[audience]
    users = directory.who_may(name, document)
    return users, mail_to(users)


def mark_done(document_id, transition, actor_id=None, now=None):
    """Mark done (and read) the notices of the document whose asked-for step `transition` took, or made
    moot: «bị trả lại» when the author submits again, «chờ thẩm định» when someone takes it, «chờ ký»
    when it is signed or sent back, … Returns how many were marked."""
    kinds = DONE_BY.get(transition, ())
    now = now or timezone.now()
    notices = Notification.objects.filter(document_id=document_id, done_at__isnull=True)
    done = notices.filter(kind__in=kinds).update(done_at=now, read_at=Coalesce(F("read_at"), Value(now)))
    if transition == "start_review":
        # The others who were reminded to review it need not any more; the one who took it still does.
        done += notices.filter(kind=K.REVIEW_PENDING).exclude(user_id=actor_id).update(
            done_at=now, read_at=Coalesce(F("read_at"), Value(now))
        )
    return done


def notify_office_event(document_id, event, user_ids, message, entry_id):
    """After a chuyển xử lý, phối hợp or ý kiến chỉ đạo committed (workflows.handling): one outbox
    row keyed by its audit entry (exactly once, like the transition notices), delivered in the
    application and by e-mail to those who want it. An answer marks the request's notices done."""
    entry = AuditEntry.objects.select_related("actor", "document").filter(pk=entry_id).first()
    if entry is None:
        return None
    document = entry.document
    if event == K.CONSULT_ANSWER:
        Notification.objects.filter(
            document_id=document_id, kind=K.CONSULT, done_at__isnull=True, user__unit_id=entry.actor.unit_id
        ).update(done_at=timezone.now(), read_at=Coalesce(F("read_at"), Value(timezone.now())))
    users = list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))
    body = f"{message}\n\nXem văn bản: {document_link(document_id)}" + _signature()
    row = _row(document, event, entry.pk, users, mail_to(users), message, body)
    ReminderLog.objects.bulk_create([row], ignore_conflicts=True)
    row_id = ReminderLog.objects.filter(document_id=document_id, kind=event, offset=entry.pk).values_list("id", flat=True).first()
    return dispatch(row_id) if row_id else None


def notify_transition(document_id, transition):
    """After a transition committed: mark done the notices it answered, then tell the people who must
    act next and the authors (one outbox row per kind of notice, delivered inline or queued to a worker
    when there are workers). Returns the delivery outcomes."""
    entry = (
        AuditEntry.objects.filter(document_id=document_id, transition=transition)
        .select_related("document", "document__unit", "document__period", "actor")
        .order_by("-at", "-id")
        .first()
    )
    if entry is None:
        return None
    mark_done(document_id, transition, entry.actor_id)
    notices = TRANSITION_NOTICES.get(transition, [])
    document = entry.document
    if transition == "approve" and not document.needs_signature:
        notices = [(kind, audience) for kind, audience in notices if kind != K.TO_SIGN]
    if not notices:
        return []
    directory = Directory({document.unit_id}, {document.commune_id})
    rows = []
    for kind, audience in notices:
        users, emails = _audience(audience, document, directory)
        # Nobody is told of their own step.
        users = [u for u in users if u.pk != entry.actor_id]
        own = (entry.actor.email or "").strip().lower()
        emails = [e for e in emails if not own or e.strip().lower() != own]
        subject, body = _notice_text(kind, entry, document)
        rows.append(_row(document, kind, entry.pk, users, emails, subject, body))
    ReminderLog.objects.bulk_create(rows, ignore_conflicts=True)
    row_ids = ReminderLog.objects.filter(document=document, kind__in=[r.kind for r in rows], offset=entry.pk).values_list("id", flat=True)
    return [dispatch(row_id) for row_id in row_ids]


def notify_round_opened(document_ids):
    """Tell each unit that its draft report of a newly opened round is waiting (after the commit)."""
    documents = list(Document.objects.filter(pk__in=document_ids).select_related("unit", "period"))
    if not documents:
        return []
    directory = Directory({d.unit_id for d in documents}, set())
    rows = []
    for document in documents:
        users, emails = directory.unit_staff(document.unit)
        period = document.period
        subject = f"Đã mở kỳ báo cáo {period.name}: hạn nộp {date_vn(period.deadline)}"
        body = (
            f"Kính gửi {document.unit.name},\n\nKỳ báo cáo {period.name} đã được mở. Dự thảo báo cáo "
            f"«{document.title}» của đơn vị đã được tạo sẵn; đề nghị nhập số liệu và trình chậm nhất ngày "
            f"{date_vn(period.deadline)}.\n{data_window_sentence(period)}\n\nXem văn bản: {document_link(document.pk)}" + _signature()
        )
        rows.append(_row(document, K.ROUND_OPENED, 0, users, emails, subject, body))
    ReminderLog.objects.bulk_create(rows, ignore_conflicts=True)
    row_ids = ReminderLog.objects.filter(document_id__in=document_ids, kind=K.ROUND_OPENED, status=ReminderLog.Status.PENDING).values_list("id", flat=True)
    return [dispatch(row_id) for row_id in row_ids]


def dispatch(row_id):
    """Deliver a planned row now (inline) or on a worker (when there are workers)."""
    if current_app.conf.task_always_eager:
        # A failure here is recorded on the row and retried by the next send_reminders run; while
        # the mail server is known to be down, the e-mail is left to that run at once.
        return deliver(row_id, mail=not cache.get(MAIL_DOWN_KEY))
    try:
        # By name: rounds.tasks imports this module, not the other way round.
        current_app.send_task(DELIVER_NOTICE_TASK, args=[row_id])
    except Exception:  # noqa: BLE001 - broker down: the row stays pending for the next run
        log.exception("Could not queue notice %s; the next reminder run sends it", row_id)
    return "queued"
