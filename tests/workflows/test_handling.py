"""Office handling through the services: chuyển xử lý, phối hợp, ý kiến chỉ đạo, step deadlines."""
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rounds.models import Notification
from tests.helpers.office import colleague
from tests.helpers.workflow import demo, document_in, new_unit_report
from workflows import deadlines, handling, queries
from workflows.errors import Conflict, Forbidden, Invalid, NotFound, WrongState
from workflows.models import AuditEntry, Document
from workflows.services import available_transitions, perform_transition

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the on_commit callbacks (the notices) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_hand_over_moves_the_step_to_the_colleague_only(committed):
    hoa = colleague()
    document = document_in("unit_report", "submitted")
    vhxh = demo("vhxh")
    assert hoa in handling.hand_over_candidates(document, vhxh)
    with committed():
        handling.hand_over(document.pk, vhxh, hoa.pk, "Chị Hoa phụ trách lĩnh vực y tế, đề nghị thẩm định.")
    document = Document.objects.get(pk=document.pk)
    assert document.assignee_id == hoa.pk and document.assignee_role == "reviewer"
    assert "start_review" not in available_transitions(document, vhxh)
    assert "start_review" in available_transitions(document, hoa)
    assert document in queries.waiting_for(hoa)
    assert document not in queries.waiting_for(vhxh)
    entry = AuditEntry.objects.filter(document=document, transition="hand_over").get()
    assert (entry.actor, entry.recipient, entry.source, entry.target) == (vhxh, hoa, "submitted", "submitted")
    assert "y tế" in entry.comment
    assert Notification.objects.filter(user=hoa, document=document, kind="hand_over").exists()
    # The former holder may no longer act; the refusal says who holds it.
    with pytest.raises(Forbidden, match="Lê Thị Hoa"):
        perform_transition(document.pk, vhxh, "start_review")
    perform_transition(document.pk, hoa, "start_review")
    document = perform_transition(document.pk, hoa, "approve")
    assert document.assignee_id is None  # the step is over


def test_hand_over_under_review_makes_the_colleague_the_reviewer():
    hoa = colleague()
    document = document_in("unit_report", "under_review")
    handling.hand_over(document.pk, demo("vhxh"), hoa.pk, "Chuyển chị Hoa thẩm định tiếp.")
    document = Document.objects.get(pk=document.pk)
    assert document.reviewer_id == hoa.pk
    with pytest.raises(Forbidden):
        perform_transition(document.pk, demo("vhxh"), "approve")
    assert perform_transition(document.pk, hoa, "return", "Bổ sung minh chứng.").state == "returned"


def test_hand_over_refusals():
    hoa = colleague()
    document = document_in("unit_report", "submitted")
    with pytest.raises(Forbidden):
        handling.hand_over(document.pk, demo("tramyte"), hoa.pk, "x")  # the author's unit sees it, holds no step
    with pytest.raises(Invalid) as bad:
        handling.hand_over(document.pk, demo("vhxh"), demo("vanphong").pk, "Nhờ văn phòng")
    assert "to" in bad.value.errors
    with pytest.raises(Invalid) as empty:
        handling.hand_over(document.pk, demo("vhxh"), hoa.pk, "  ")
    assert "note" in empty.value.errors
    draft = new_unit_report(period_code="2026-Y")
    with pytest.raises(WrongState):
        handling.hand_over(draft.pk, demo("vhxh"), hoa.pk, "x")
    handling.hand_over(document.pk, demo("vhxh"), hoa.pk, "Nhờ chị xử lý.")
    with pytest.raises(Conflict):  # handed on already: the former holder's second try
        handling.hand_over(document.pk, demo("vhxh"), hoa.pk, "Lần nữa")
    with pytest.raises(Conflict):  # a stale page: the caller saw nobody assigned
        handling.hand_over(document.pk, hoa, demo("vhxh").pk, "Trả lại anh", expected_assignee=0)


def test_the_leader_hands_a_plan_awaiting_signature_to_another_leader():
    chu_tich = colleague(unit_code=None, username="chutich", roles=("signer",), full_name="Nguyễn Văn Chủ")
    document = document_in("plan", "approved")
    pct = demo("pct")
    assert [p.username for p in handling.hand_over_candidates(document, pct)] == ["chutich"]
    handling.hand_over(document.pk, pct, chu_tich.pk, "Anh ký thay, tôi đi công tác.")
    document = Document.objects.get(pk=document.pk)
    assert document.assignee_role == "signer"
    assert "sign" not in available_transitions(document, pct) and "sign" in available_transitions(document, chu_tich)
    assert document not in queries.for_signing(pct) and document in queries.for_signing(chu_tich)


def test_kinhte_cannot_see_so_not_found():
    document = document_in("unit_report", "submitted")
    with pytest.raises(NotFound):
        handling.hand_over(document.pk, demo("kinhte"), demo("vhxh").pk, "x")


def test_consultation_asked_seen_answered_with_a_file(committed):
    document = document_in("unit_report", "under_review")
    vhxh, kinhte = demo("vhxh"), demo("kinhte")
    assert not kinhte.has_perm("workflows.view_document", document)
    deadline = timezone.localdate() + timedelta(days=3)
    with committed():
        consultation = handling.request_consultation(document.pk, vhxh, "kinhte", "Đề nghị cho ý kiến về số liệu 2.1.", deadline)
    assert Document.objects.get(pk=document.pk).state == "under_review"
    assert kinhte.has_perm("workflows.view_document", document)
    assert document.pk in [d.pk for d in queries.documents_for(kinhte)]
    assert Notification.objects.filter(user=kinhte, kind="consult", document=document).exists()
    assert [c.pk for c in handling.open_consultations_for(kinhte)] == [consultation.pk]
    with pytest.raises(Forbidden):
        handling.answer_consultation(consultation.pk, demo("tramyte"), "Không phải đơn vị được hỏi")
    bad = SimpleUploadedFile("y-kien.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(Invalid) as refused:
        handling.answer_consultation(consultation.pk, kinhte, "Thống nhất.", bad)
    assert "file" in refused.value.errors
    pdf = SimpleUploadedFile("y-kien.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    with committed():
        answered = handling.answer_consultation(consultation.pk, kinhte, "Phòng Kinh tế thống nhất số liệu.", pdf)
    assert answered.answered and answered.file_name == "y-kien.pdf" and answered.answered_by == kinhte
    assert Notification.objects.filter(user=vhxh, kind="consult_answer").exists()
    with pytest.raises(Conflict):
        handling.answer_consultation(consultation.pk, kinhte, "Lần hai")
    events = list(AuditEntry.objects.filter(document=document, transition__in=("consult", "consult_answer")).values_list("transition", flat=True))
    assert events == ["consult", "consult_answer"]


def test_consultation_refusals_and_overdue():
    document = document_in("unit_report", "submitted")
    with pytest.raises(Forbidden):
        handling.request_consultation(document.pk, demo("pct"), "kinhte", "?", timezone.localdate())
    with pytest.raises(Invalid) as bad:
        handling.request_consultation(document.pk, demo("vhxh"), "khong-co", "", "31/02/2026")
    assert set(bad.value.errors) == {"unit", "question", "deadline"}
    with pytest.raises(Invalid) as own:
        handling.request_consultation(document.pk, demo("vhxh"), "tramyte", "?", timezone.localdate())
    assert "unit" in own.value.errors
    draft = new_unit_report(period_code="2026-Y")
    with pytest.raises(WrongState):
        handling.request_consultation(draft.pk, demo("vhxh"), "kinhte", "?", timezone.localdate())
    consultation = handling.request_consultation(document.pk, demo("vhxh"), "kinhte", "Cho ý kiến", timezone.localdate())
    assert not consultation.is_overdue(timezone.localdate())
    assert consultation.is_overdue(timezone.localdate() + timedelta(days=1))
    with pytest.raises(Conflict):
        handling.request_consultation(document.pk, demo("vhxh"), "kinhte", "Lần nữa", timezone.localdate())


def test_instruction_by_the_leader_told_to_author_and_reviewer(committed):
    document = document_in("unit_report", "under_review")
    pct = demo("pct")
    with committed():
        entry = handling.give_instruction(document.pk, pct, "Đề nghị Trạm Y tế làm rõ tỷ lệ tiêm chủng.")
    assert entry.transition == "instruct" and entry.source == entry.target == "under_review"
    assert [e.pk for e in handling.instructions(document)] == [entry.pk]
    told = set(Notification.objects.filter(kind="instruct", document=document).values_list("user__username", flat=True))
    assert told == {"tramyte", "vhxh"}
    with pytest.raises(Forbidden):
        handling.give_instruction(document.pk, demo("vhxh"), "Không phải lãnh đạo")
    with pytest.raises(Invalid) as empty:
        handling.give_instruction(document.pk, pct, "   ")
    assert "text" in empty.value.errors


def test_a_long_instruction_on_several_lines_reaches_its_readers_in_the_application_and_by_mail(committed, mailoutbox):
    """An instruction is typed in a text box: line breaks cannot go into an e-mail's subject (Django
    refuses the message) and its length cannot go into the outbox's subject column; the notice
    still reaches everyone, with the whole text in the e-mail's body."""
    document = document_in("unit_report", "under_review")
    for username in ("tramyte", "vhxh"):
        person = demo(username)
        person.email, person.email_notifications = f"{username}@example.invalid", True
        person.save()
    text = "Đề nghị Trạm Y tế:\n- làm rõ tỷ lệ tiêm chủng;\n- bổ sung minh chứng " + "số liệu từng thôn, " * 30 + "hết."
    with committed():
        handling.give_instruction(document.pk, demo("pct"), text)
    notices = Notification.objects.filter(kind="instruct", document=document)
    assert set(notices.values_list("user__username", flat=True)) == {"tramyte", "vhxh"}
    message = notices.first().message
    assert "\n" not in message and len(message) <= 300 and message.endswith("…")
    assert "có ý kiến chỉ đạo về văn bản «" in message and "»: Đề nghị Trạm Y tế: - làm rõ tỷ lệ tiêm chủng; - bổ sung" in message
    assert not message[:-1].endswith(" ")  # cut between words, not inside one
    assert len(mailoutbox) == 1 and sorted(mailoutbox[0].to) == ["tramyte@example.invalid", "vhxh@example.invalid"]
    assert "\n" not in mailoutbox[0].subject
    assert "- làm rõ tỷ lệ tiêm chủng;" in mailoutbox[0].body and "hết." in mailoutbox[0].body


def test_step_deadline_in_working_days(clock):
    clock.set(2026, 6, 5, 9, 0)  # a Friday
    document = document_in("unit_report", "submitted")
    step = deadlines.step_status(Document.objects.get(pk=document.pk), today=date(2026, 6, 8))  # Monday
    assert (step.waited, step.limit, step.overdue) == (1, 3, False)
    assert step.due == date(2026, 6, 10)
    late = deadlines.step_status(queries.documents_for(demo("vhxh")).get(pk=document.pk), today=date(2026, 6, 12))
    assert late.waited == 5 and late.overdue and "quá hạn" in late.summary
    assert deadlines.step_status(new_unit_report(period_code="2026-Y")) is None


def test_deadline_setting_parsed(settings):
    settings.HANDLING_DEADLINE_DAYS_TEXT = "unit_report=2, plan=7"
    assert deadlines.deadline_days("unit_report") == 2 and deadlines.deadline_days("summary_report") == deadlines.DEFAULT_DAYS
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        deadlines.parse("unit_report=abc")
    from django.core import checks

    settings.HANDLING_DEADLINE_DAYS_TEXT = "unit_report=abc"
    assert [e.id for e in checks.run_checks() if e.id.startswith("workflows.")] == ["workflows.E001"]
    assert deadlines.deadline_days("unit_report") == deadlines.DEFAULT_DAYS


def test_office_notices_are_mailed_to_who_wants_them_and_done_when_acted(committed, mailoutbox):
    """Chuyển xử lý and phối hợp go through the notice outbox like the steps: in the application,
    by e-mail to those who have an address and want it, once; each is marked done when acted on."""
    hoa = colleague()
    hoa.email, hoa.email_notifications = "hoa@example.org", True
    hoa.save()
    document = document_in("unit_report", "submitted")
    with committed():
        handling.hand_over(document.pk, demo("vhxh"), hoa.pk, "Nhờ chị thẩm định.")
    assert [m.to for m in mailoutbox] == [["hoa@example.org"]]
    assert "chuyển cho bạn xử lý" in mailoutbox[0].subject and f"/van-ban/{document.pk}/" in mailoutbox[0].body
    notice = Notification.objects.get(user=hoa, document=document, kind="hand_over")
    assert notice.done_at is None
    perform_transition(document.pk, hoa, "start_review")
    with committed():
        perform_transition(document.pk, hoa, "approve")
    notice.refresh_from_db()
    assert notice.done_at is not None and notice.read_at is not None

    # A person who does not want e-mail gets the notice in the application only.
    kinhte = demo("kinhte")
    kinhte.email, kinhte.email_notifications = "kinhte@example.org", False
    kinhte.save()
    other = document_in("plan", "under_review")
    mailoutbox.clear()
    with committed():
        consultation = handling.request_consultation(other.pk, demo("vanphong"), "kinhte", "Cho ý kiến.", timezone.localdate())
    assert "kinhte@example.org" not in [address for m in mailoutbox for address in m.to]
    asked = Notification.objects.get(user=kinhte, document=other, kind="consult")
    with committed():
        handling.answer_consultation(consultation.pk, kinhte, "Thống nhất.")
    asked.refresh_from_db()
    assert asked.done_at is not None
