"""Đôn đốc: from the round's status matrix, a coordinator or a leader urges a unit whose report is
late. The reminder goes out once per report (in-app to the unit's staff and by e-mail to them and
the unit's address, through the reminder outbox of rounds.reminders); a second request sends
nothing and says when it was sent and by whom. Each urge is also written to the document's audit
trail ("Đôn đốc")."""
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from plans.formatting import date_vn
from workflows import policy
from workflows.errors import Forbidden, WrongState
from workflows.models import AuditEntry, Kind
from workflows.services import lock_document

from . import reminders
from .access import is_coordinator_staff
from .models import ReminderLog

OFFSET = 0  # once per report


@dataclass
class Urged:
    row: ReminderLog
    sent_now: bool


def may_urge(user, commune_id):
    """Phòng VH-XH's staff (who follow the round) and the commune's leaders."""
    return bool(
        is_coordinator_staff(user, commune_id)
        or (user.is_authenticated and user.has_role(Role.SIGNER) and user.home_commune_id in (None, commune_id))
    )


def is_late(document, today=None):
    today = today or timezone.localdate()
    return bool(
        document.kind == Kind.UNIT_REPORT
        and document.period_id
        and document.period.opened_at is not None
        and document.state in reminders.NOT_SUBMITTED
        and document.period.deadline < today
    )


def _message(document, user):
    period = document.period
    who = user.full_name or user.username
    subject = f"Đôn đốc nộp báo cáo {period.name.lower()} (quá hạn {date_vn(period.deadline)})"
    body = (
        f"Kính gửi {document.unit.name},\n\n{who} đề nghị đơn vị khẩn trương hoàn thiện và trình báo cáo "
        f"«{document.title}»; hạn nộp là ngày {date_vn(period.deadline)}. Báo cáo hiện ở trạng thái "
        f"«{document.get_state_display()}»." + reminders._signature()
    )
    return subject, body


def urge(document_id, user):
    """Send the đôn đốc reminder of a late unit report once. Returns Urged(row, sent_now)."""
    with transaction.atomic():
        document = lock_document(document_id)
        if not policy.may_view(user, document) or not may_urge(user, document.commune_id):
            raise Forbidden("Chỉ cán bộ Phòng Văn hóa – Xã hội (cơ quan thường trực) và lãnh đạo UBND mới được đôn đốc đơn vị.")
        existing = ReminderLog.objects.filter(document=document, kind=ReminderLog.Kind.URGE, offset=OFFSET).select_related("requested_by").first()
        if existing is not None:
            return Urged(existing, False)
        if not is_late(document):
            raise WrongState(
                f"Báo cáo của {document.unit.name} không chậm nộp (trạng thái «{document.get_state_display()}», "
                f"hạn {date_vn(document.period.deadline) if document.period_id else 'không có'}); không cần đôn đốc."
            )
        users, emails = reminders.Directory({document.unit_id}, set()).unit_staff(document.unit)
        subject, body = _message(document, user)
        row = reminders._row(document, ReminderLog.Kind.URGE, OFFSET, users, emails, subject, body)
        row.requested_by = user
        row.save()
        AuditEntry.objects.create(
            document=document, transition="urge", source=document.state, target=document.state, actor=user,
            comment=subject, version=document.version, recipient_unit=document.unit,
        )
    # Delivered after the commit like a transition notice: a mail server failure leaves the row
    # pending for the next send_reminders run, and the click is still recorded.
    reminders.dispatch(row.pk)
    row.refresh_from_db()
    return Urged(row, True)


def urged_in(period):
    """{document id: ReminderLog} of the đôn đốc reminders of a period (one query)."""
    rows = ReminderLog.objects.filter(kind=ReminderLog.Kind.URGE, document__period=period).select_related("requested_by")
    return {row.document_id: row for row in rows}
