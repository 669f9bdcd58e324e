"""Phát hành (issue 13): on issue every unit the document names receives it in «Văn bản đến» with a
notification, the văn thư sees who opened it, and a unit outside the system gets the signed PDF by
e-mail through a real local SMTP server (aiosmtpd)."""
import email
import socket

import pytest
from aiosmtpd.controller import Controller

from distribution.models import Delivery
from organizations.models import Unit
from rounds.models import Notification
from rounds.services import reporting_units
from signatures.models import SignedPdf
from tests.helpers.web import client_for
from tests.helpers.workflow import COMMUNE_STEPS, run, the_plan
from workflows.services import ensure_plan_document

pytestmark = [pytest.mark.signing, pytest.mark.django_db]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    yield inbox
    controller.stop()


def test_issued_plan_reaches_every_unit_and_the_outside_unit_by_email(signing_keys, smtp_server, django_capture_on_commit_callbacks):
    document = run(ensure_plan_document(the_plan()), *COMMUNE_STEPS["approved"])
    outside = Unit.objects.create(
        commune=document.commune, code="ca-huyen", name="Công an huyện Diễn Châu", abbreviation="CAH",
        kind=Unit.Kind.POLICE, email="congan@example.invalid",
    )
    plan = document.plan
    plan.recipients = [*plan.recipients, "Công an huyện Diễn Châu"]
    plan.save()

    with django_capture_on_commit_callbacks(execute=True):
        issued = run(document, ("pct", "sign"), ("vanthu", "issue"))

    units = [unit for unit, _codes in reporting_units(plan)]
    assert units
    delivered = {d.unit_id: d for d in Delivery.objects.filter(document=issued)}
    for unit in units:
        assert delivered[unit.pk].channel == "internal"
    assert delivered[outside.pk].channel == "email" and delivered[outside.pk].status == "delivered"

    # A unit's staff see it in «Văn bản đến» with a notification; opening it is recorded.
    tram = Unit.objects.get(code="tramyte")
    assert Notification.objects.filter(user__username="tramyte", document=issued, kind="incoming").exists()
    staff = client_for("tramyte")
    listing = staff.get("/van-ban/van-ban-den/").content.decode()
    assert issued.number_label in listing and "Chưa mở" in listing
    assert staff.get(f"/van-ban/van-ban-den/{delivered[tram.pk].pk}/").status_code == 200
    original = SignedPdf.objects.get(document=issued, stage="issued").content()
    download = staff.get(f"/van-ban/van-ban-den/{delivered[tram.pk].pk}/tep/")
    assert b"".join(download.streaming_content) == original
    # Another unit cannot open this unit's delivery.
    assert client_for("kinhte").get(f"/van-ban/van-ban-den/{delivered[tram.pk].pk}/").status_code == 404

    from tests.helpers.api import login

    api_incoming = login("tramyte").get("/incoming").json()["items"]
    assert [row["number"] for row in api_incoming] == [issued.number_label]
    assert api_incoming[0]["opened_by"] == "Cán bộ Trạm Y tế xã"
    api_deliveries = login("vanthu").get(f"/documents/{issued.pk}/deliveries").json()["items"]
    assert {row["unit"] for row in api_deliveries} >= {unit.name for unit in units} | {outside.name}

    clerk_view = client_for("vanthu").get(f"/van-ban/{issued.pk}/phat-hanh/").content.decode()
    assert "Cán bộ Trạm Y tế xã" in clerk_view and "congan@example.invalid" in clerk_view

    # The outside unit received the signed original by e-mail (the plan's author was told too, issue 14).
    outside_mail = [m for m in smtp_server.messages if m[0] == ["congan@example.invalid"]]
    assert len(outside_mail) == 1
    assert {tuple(r) for r, _ in smtp_server.messages} == {("congan@example.invalid",), ("vhxh@example.invalid",)}
    recipients, message = outside_mail[0]
    attachments = [part for part in message.walk() if part.get_content_type() == "application/pdf"]
    assert attachments and attachments[0].get_payload(decode=True) == original
