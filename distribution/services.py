"""Phát hành: on `issue`, every unit the document names receives it.

Recipients are the units named in the document's Nơi nhận, and for a plan every unit it assigns
work to. A unit with accounts in the system finds it in «Văn bản đến» with a notification; a unit
outside the system with an e-mail address gets the signed PDF by e-mail. The văn thư sees, per
recipient, whether it was delivered and opened (who, when).
"""
import logging
import unicodedata

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from documents.register import recipients_for
from documents.rendering import document_file
from organizations.models import Unit
from organizations.ordering import UNIT_ORDER, through_unit
from rounds.models import Notification
from rounds.services import reporting_units
from signatures import services as signing
from workflows.models import Document, Kind

from .models import Delivery

logger = logging.getLogger(__name__)
ALL_CONCERNED = ("đơn vị liên quan", "các đơn vị", "ban cán sự")


def _norm(text):
    return unicodedata.normalize("NFC", str(text)).casefold()


def recipient_units(document):
    """The units the document goes to (active, of its commune), in the commune's order."""
    lines = [_norm(line) for line in recipients_for(document) if not _norm(line).lstrip("- ").startswith("lưu")]
    units = list(Unit.objects.filter(commune_id=document.commune_id, active=True).order_by(*UNIT_ORDER))
    chosen = {u.pk for u in units if any(_norm(u.name) in line for line in lines)}
    if document.kind == Kind.PLAN or any(word in line for line in lines for word in ALL_CONCERNED):
        chosen |= {unit.pk for unit, _codes in reporting_units(document.plan)}
    return [u for u in units if u.pk in chosen]


def attachment(document):
    original = signing.original(document)
    if original is not None:
        return original.filename, original.content(), "application/pdf"
    name, data = document_file(document)
    return name, data, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _email(document, unit, name, data, content_type):
    subject = f"{document.commune.name} gửi văn bản số {document.number_label}: {document.title}"[:250]
    body = (
        f"Kính gửi: {unit.name}\n\n"
        f"{document.commune.name} gửi kèm văn bản số {document.number_label} "
        f"ngày {document.issued_on:%d/%m/%Y}: {document.title}.\n"
        "Tệp PDF đính kèm là bản gốc điện tử có chữ ký số của người ký và của cơ quan.\n\n"
        "Thư này do hệ thống quản lý văn bản gửi tự động; vui lòng không trả lời thư này."
    )
    message = EmailMessage(subject, body, to=[unit.email])
    message.attach(name, data, content_type)
    message.send()


def distribute(document_id):
    """Deliver the issued document to each recipient unit once (a second call adds nothing)."""
    document = Document.objects.select_related("commune", "plan").get(pk=document_id)
    if document.state != "issued":
        return []
    created = []
    delivered = set(document.deliveries.values_list("unit_id", flat=True))
    units = [u for u in recipient_units(document) if u.pk not in delivered]
    staff = {}
    for person in User.objects.filter(unit__in=units, is_active=True):
        staff.setdefault(person.unit_id, []).append(person)
    file = None  # read from storage once, for the first e-mail
    for unit in units:
        people = staff.get(unit.pk, [])
        if not people and not unit.email:
            continue  # neither in the system nor reachable by e-mail: the paper copy goes by post
        channel = Delivery.Channel.INTERNAL if people else Delivery.Channel.EMAIL
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(document=document, unit=unit, channel=channel, email=unit.email if not people else "")
                for person in people:
                    Notification.objects.create(
                        user=person, document=document, kind="incoming",
                        message=f"Văn bản đến: {document.commune.name} ban hành văn bản số {document.number_label} – {document.title}",
                    )
        except IntegrityError:
            continue  # delivered meanwhile by a parallel call
        if channel == Delivery.Channel.EMAIL:
            try:
                file = file or attachment(document)
                _email(document, unit, *file)
            except Exception as exc:  # noqa: BLE001 - recorded for the văn thư; the issue stands
                logger.exception("E-mail of document %s to %s failed", document.pk, unit.email)
                Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, error=str(exc)[:500])
        created.append(delivery)
    return created


def incoming_for(user):
    """«Văn bản đến» of the user's unit, newest first (the screen's and API's one read function)."""
    if not user.is_authenticated or not user.unit_id:
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(unit_id=user.unit_id, channel=Delivery.Channel.INTERNAL)
        .select_related("document", "document__commune", "document__signer", "opened_by")
        .order_by("-sent_at", "-id")
    )


def open_incoming(user, delivery_id):
    """The delivery for the user's unit, marked opened (first opening: who and when)."""
    delivery = incoming_for(user).filter(pk=delivery_id).first()
    if delivery is None:
        return None
    if delivery.opened_at is None:
        Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=timezone.now(), opened_by=user)
        delivery.refresh_from_db()
    return delivery


def delivery_rows(document):
    """Per recipient: unit, channel, status, opened by whom and when (for the văn thư), as a query."""
    return document.deliveries.select_related("unit", "opened_by").order_by(*through_unit())


def deliveries_of(document):
    return list(delivery_rows(document))
