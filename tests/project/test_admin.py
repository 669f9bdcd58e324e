"""The Django admin, in Vietnamese: every page renders for the administrator, lists run a constant
number of queries, roles are check boxes, deadlines are editable, documents and their history are
read-only, and issued documents can be neither changed nor deleted."""
import datetime
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ApiToken, Role, User
from organizations.models import Commune, Unit
from plans.models import Area, Assignment, Period, Phase, Plan, Target
from tests.helpers.workflow import COMMUNE_STEPS, another_plan, demo, fill_unit_report, new_plan_document, new_unit_report, period, run
from workflows.attachments import add_attachment
from workflows.models import AuditEntry, Document, DocumentVersion, State
from workflows.services import create_document, perform_transition, update_document

pytestmark = pytest.mark.django_db

MODELS = [
    ("accounts", "user"),
    ("accounts", "apitoken"),
    ("organizations", "commune"),
    ("organizations", "unit"),
    ("plans", "plan"),
    ("plans", "area"),
    ("plans", "target"),
    ("plans", "assignment"),
    ("plans", "phase"),
    ("plans", "period"),
    ("workflows", "document"),
    ("workflows", "auditentry"),
    ("workflows", "documentversion"),
    ("workflows", "attachment"),
]
READ_ONLY = {("accounts", "apitoken"), ("workflows", "document"), ("workflows", "auditentry"),
             ("workflows", "documentversion"), ("workflows", "attachment")}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def admin_client(client):
    client.force_login(demo("admin"))
    return client


def add_batch(i):
    """One more of everything the admin lists: a commune with its unit, person, token, plan,
    area, target, assignment, phase, period, and a report with versions, audit entries and evidence
    (taken for review by a second reviewer of the unit: its author may not review it)."""
    commune = Commune.objects.create(code=f"xa-thu-{i}", name=f"Ủy ban nhân dân xã Thử {i}", short_name=f"UBND xã Thử {i}",
                                     place_name=f"Thử {i}", abbreviation="UBND")
    unit = Unit.objects.create(commune=commune, code="vhxh", name="Phòng Văn hóa – Xã hội", abbreviation="VHXH",
                               kind=Unit.Kind.DEPARTMENT, function=Unit.Function.COORDINATOR)
    person = User.objects.create(username=f"canbo-thu-{i}", full_name=f"Cán bộ thử {i}", unit=unit, commune=commune,
                                 roles=[Role.DRAFTER, Role.REVIEWER])
    colleague = User.objects.create(username=f"tham-dinh-thu-{i}", full_name=f"Người thẩm định thử {i}", unit=unit,
                                    commune=commune, roles=[Role.REVIEWER])
    ApiToken.objects.create(user=person, key_hash=f"{i:064x}")
    plan = Plan.objects.create(commune=commune, code="2026-2030", title="Kế hoạch thử", start_year=2026, end_year=2030,
                               coordinator=unit, archive_line="VT, VHXH")
    area = Area.objects.create(plan=plan, number=1, title="Chuyển đổi số")
    target = Target.objects.create(plan=plan, area=area, code="1.1", order=1, text="Chỉ tiêu thử", input_kind="percent",
                                   comparison="at_least", target_value=95, aggregation="single")
    target.reporting_units.add(unit)
    assignment = Assignment.objects.create(plan=plan, number=1, heading="Phòng Văn hóa – Xã hội")
    assignment.units.add(unit)
    phase = Phase.objects.create(plan=plan, number=1, name="Giai đoạn 1", start_year=2026, end_year=2027)
    term = Period.objects.create(plan=plan, phase=phase, code="2026-H1", kind="H1", year=2026, name="6 tháng đầu năm 2026",
                                 data_start=datetime.date(2025, 12, 15), data_end=datetime.date(2026, 6, 14),
                                 deadline=datetime.date(2026, 6, 19))
    report = create_document(person, "unit_report", plan=plan, period=term)
    report = update_document(report.pk, person, version=1, sections={"results": "Đạt."}, values={"1.1": {"value": 97}})
    add_attachment(report.pk, person, SimpleUploadedFile("minh-chung.pdf", PDF, content_type="application/pdf"), "1.1")
    perform_transition(report.pk, person, "submit")
    perform_transition(report.pk, colleague, "start_review")  # four eyes: not the person who wrote it


def changelist(app, model):
    return reverse(f"admin:{app}_{model}_changelist")


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


# --- every page renders ------------------------------------------------------------------------

def test_admin_index_is_in_vietnamese(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Quản trị hệ thống văn bản" in html
    for label in ("Người dùng", "Đơn vị", "Kỳ báo cáo", "Chỉ tiêu", "Văn bản", "Nhật ký xử lý"):
        assert label in html


@pytest.mark.parametrize("app,model", MODELS)
def test_every_changelist_and_change_page_renders(admin_client, app, model):
    add_batch(1)
    response = admin_client.get(changelist(app, model))
    assert response.status_code == 200
    # Searching (across related fields too) works on every list.
    response = admin_client.get(changelist(app, model), {"q": "Văn hóa"})
    assert response.status_code == 200
    from django.apps import apps

    obj = apps.get_model(app, model)._default_manager.order_by("pk").first()
    response = admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    assert response.status_code == 200
    response = admin_client.get(reverse(f"admin:{app}_{model}_add"))
    assert response.status_code == (403 if (app, model) in READ_ONLY else 200)


@pytest.mark.parametrize("app,model", MODELS)
def test_changelists_run_a_constant_number_of_queries(admin_client, app, model):
    add_batch(1)
    url = changelist(app, model)
    admin_client.get(url)  # warm caches (content types, sessions)
    few = queries_for(admin_client, url)
    for i in range(2, 5):
        add_batch(i)
    many = queries_for(admin_client, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"


def test_non_staff_cannot_open_the_admin(client):
    client.force_login(demo("tramyte"))
    response = client.get(changelist("workflows", "document"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- people and roles --------------------------------------------------------------------------

def test_user_form_shows_roles_as_check_boxes(admin_client):
    person = demo("vhxh")
    html = admin_client.get(reverse("admin:accounts_user_change", args=[person.pk])).content.decode()
    for value, label in Role.choices:
        assert f'value="{value}"' in html and label in html
    checked = set(re.findall(r'<input type="checkbox" name="roles" value="(\w+)"[^>]*\bchecked\b', html))
    assert checked == {"drafter", "reviewer"}
    assert "Chức vụ" in html and "Họ và tên" in html and "Đơn vị" in html


def test_admin_creates_a_person_with_unit_and_roles(admin_client):
    unit = Unit.objects.get(code="tramyte")
    response = admin_client.post(reverse("admin:accounts_user_add"), {
        "username": "bacsi",
        "full_name": "Nguyễn Thị Hoa",
        "position": "Trưởng trạm",
        "unit": unit.pk,
        "commune": unit.commune_id,
        "roles": ["reviewer", "drafter"],
        "password1": "Dien-Chau-2026!x",
        "password2": "Dien-Chau-2026!x",
        "_save": "Lưu lại",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    person = User.objects.get(username="bacsi")
    assert (person.full_name, person.position, person.unit, person.roles) == ("Nguyễn Thị Hoa", "Trưởng trạm", unit, ["drafter", "reviewer"])
    assert person.check_password("Dien-Chau-2026!x")


def test_admin_changes_roles(admin_client):
    person = demo("kinhte")
    data = {
        "username": person.username,
        "full_name": "Cán bộ Phòng Kinh tế",
        "position": "Phó trưởng phòng",
        "email": person.email,
        "unit": person.unit_id,
        "commune": person.commune_id,
        "roles": ["drafter", "reviewer"],
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "08:00:00",
        "_save": "Lưu lại",
    }
    response = admin_client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.roles == ["drafter", "reviewer"]
    assert person.position == "Phó trưởng phòng"

    data["roles"] = ["chairman"]
    response = admin_client.post(reverse("admin:accounts_user_change", args=[person.pk]), data)
    assert response.status_code == 200
    assert "chairman" in response.content.decode()  # the error names the unknown choice
    person.refresh_from_db()
    assert person.roles == ["drafter", "reviewer"]


def test_api_tokens_are_read_only(admin_client):
    add_batch(1)
    token = ApiToken.objects.first()
    url = reverse("admin:accounts_apitoken_change", args=[token.pk])
    html = admin_client.get(url).content.decode()
    assert token.key_hash not in html
    assert admin_client.post(url, {"user": token.user_id}).status_code == 403


# --- periods: the deadline is editable, with checks ----------------------------------------------

def test_deadline_is_shown_and_entered_as_dd_mm_yyyy(admin_client):
    term = period("2026-H1")
    html = admin_client.get(reverse("admin:plans_period_change", args=[term.pk])).content.decode()
    assert term.deadline.strftime("%d/%m/%Y") in html


def test_deadline_is_editable_in_the_list(admin_client):
    term = period("2026-H1")
    response = admin_client.post(changelist("plans", "period"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": term.pk, "form-0-deadline": "30/06/2026", "_save": "Lưu",
    })
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.deadline == datetime.date(2026, 6, 30)


def test_deadline_before_the_end_of_the_data_window_is_refused(admin_client):
    term = period("2026-H1")
    before = term.deadline
    response = admin_client.post(changelist("plans", "period"), {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000",
        "form-0-id": term.pk, "form-0-deadline": "01/06/2026", "_save": "Lưu",
    })
    assert response.status_code == 200
    assert "Hạn nộp báo cáo không được trước ngày chốt số liệu." in response.content.decode()
    term.refresh_from_db()
    assert term.deadline == before


# --- documents: look, never push ---------------------------------------------------------------

def test_document_page_shows_content_and_history_read_only(admin_client):
    document = run(fill_unit_report(new_unit_report("tramyte")), ("tramyte", "submit"), ("vhxh", "start_review"),
                   ("vhxh", "return", "Bổ sung minh chứng."))
    url = reverse("admin:workflows_document_change", args=[document.pk])
    html = admin_client.get(url).content.decode()
    assert "Kết quả nổi bật trong kỳ." in html and "Kết quả thực hiện" in html
    assert "Đạt" in html and "Bổ sung minh chứng." in html and "Trả lại" in html
    assert 'name="_save"' not in html
    response = admin_client.post(url, {"title": "Sửa qua trang quản trị", "state": "approved"})
    assert response.status_code == 403
    document.refresh_from_db()
    assert document.state == State.RETURNED
    # It entered the workflow, so it has a history that must not be lost.
    assert admin_client.get(reverse("admin:workflows_document_delete", args=[document.pk])).status_code == 403


def test_issued_document_cannot_be_changed_or_deleted_in_admin(admin_client):
    document = run(new_plan_document("Kế hoạch đã ban hành"), *COMMUNE_STEPS["signed"], ("vanthu", "issue"))
    change = reverse("admin:workflows_document_change", args=[document.pk])
    delete = reverse("admin:workflows_document_delete", args=[document.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"title": "Sửa"}).status_code == 403
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    response = admin_client.post(changelist("workflows", "document"), {
        "action": "delete_selected", "_selected_action": [document.pk], "post": "yes",
    })
    assert response.status_code == 200  # the admin's page saying it may not delete them
    document.refresh_from_db()
    assert (document.state, document.title) == (State.ISSUED, "Kế hoạch đã ban hành")


def test_a_fresh_draft_can_be_deleted(admin_client):
    document = create_document(demo("vhxh"), "plan", plan=another_plan(), title="Dự thảo tạo nhầm")
    url = reverse("admin:workflows_document_delete", args=[document.pk])
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()
    assert not DocumentVersion.objects.filter(document_id=document.pk).exists()


@pytest.mark.parametrize("model", ["auditentry", "documentversion"])
def test_history_is_read_only_and_never_deleted(admin_client, model):
    document = run(fill_unit_report(new_unit_report("tramyte")), ("tramyte", "submit"))
    obj = (AuditEntry if model == "auditentry" else DocumentVersion).objects.filter(document=document).first()
    change = reverse(f"admin:workflows_{model}_change", args=[obj.pk])
    assert 'name="_save"' not in admin_client.get(change).content.decode()
    assert admin_client.post(change, {"comment": "Sửa", "title": "Sửa"}).status_code == 403
    assert admin_client.get(reverse(f"admin:workflows_{model}_delete", args=[obj.pk])).status_code == 403
    html = admin_client.get(changelist("workflows", model)).content.decode()
    assert "delete_selected" not in html
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_evidence_can_be_removed_only_while_the_report_is_editable(admin_client):
    document = new_unit_report("tramyte")
    attachment = add_attachment(document.pk, demo("tramyte"), SimpleUploadedFile("bien-ban.pdf", PDF), "3.2")
    url = reverse("admin:workflows_attachment_delete", args=[attachment.pk])
    assert admin_client.get(url).status_code == 200
    document = fill_unit_report(Document.objects.get(pk=document.pk))
    perform_transition(document.pk, demo("tramyte"), "submit")
    assert admin_client.get(url).status_code == 403


# --- the numbering mode is chosen per year -------------------------------------------------------

def commune_form_data(commune, shared):
    return {
        "code": commune.code, "name": commune.name, "short_name": commune.short_name,
        "parent_name": commune.parent_name, "place_name": commune.place_name,
        "header_lines": json.dumps(commune.header_lines, ensure_ascii=False), "abbreviation": commune.abbreviation,
        "collective_title": commune.collective_title, "chairman_title": commune.chairman_title,
        "vice_chairman_title": commune.vice_chairman_title, **({"shared_numbering": "on"} if shared else {}),
        "units-TOTAL_FORMS": "0", "units-INITIAL_FORMS": "0", "units-MIN_NUM_FORMS": "0", "units-MAX_NUM_FORMS": "1000",
        "_save": "Lưu lại",
    }


def test_numbering_mode_can_be_chosen_before_the_first_number_of_the_year(admin_client):
    commune = period().plan.commune
    url = reverse("admin:organizations_commune_change", args=[commune.pk])
    response = admin_client.post(url, commune_form_data(commune, shared=False))
    assert response.status_code == 302, response.content.decode()[:3000]
    commune.refresh_from_db()
    assert commune.shared_numbering is False


def test_numbering_mode_cannot_change_once_a_number_was_given_this_year(admin_client):
    run(new_plan_document("Kế hoạch đã cấp số"), *COMMUNE_STEPS["signed"], ("vanthu", "issue"))
    commune = period().plan.commune
    url = reverse("admin:organizations_commune_change", args=[commune.pk])
    response = admin_client.post(url, commune_form_data(commune, shared=False))
    assert response.status_code == 200
    assert "chỉ đổi cách đánh số" in response.content.decode()
    commune.refresh_from_db()
    assert commune.shared_numbering is True
    # Other fields can still be corrected.
    data = commune_form_data(commune, shared=True)
    data["place_name"] = "Diễn Châu, Nghệ An"
    assert admin_client.post(url, data).status_code == 302
    commune.refresh_from_db()
    assert commune.place_name == "Diễn Châu, Nghệ An"


# --- issue 14: the admin entirely in Vietnamese, labelled inputs, drafters have a unit ------------

ENGLISH_LEFT_BY_DJANGO = (
    "After you’ve created a user", "Raw passwords are not stored", "View selected", "Skip to main content",
    "Password-based authentication", "Select all objects on this page", "Toggle theme", "Set password",
)


@pytest.mark.parametrize("page", ["add", "change", "changelist", "plan_changelist", "password"])
def test_admin_pages_have_no_english_left(admin_client, page):
    person = demo("vhxh")
    url = {
        "add": reverse("admin:accounts_user_add"),
        "change": reverse("admin:accounts_user_change", args=[person.pk]),
        "changelist": changelist("accounts", "user"),
        "plan_changelist": changelist("plans", "plan"),
        "password": reverse("admin:auth_user_password_change", args=[person.pk]),
    }[page]
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for english in ENGLISH_LEFT_BY_DJANGO:
        assert english not in html, f"{url}: «{english}»"
    assert "Chuyển đến nội dung chính" in html  # Django's skip link, now in Vietnamese


def test_add_user_page_explains_itself_in_vietnamese(admin_client):
    html = admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert "Sau khi tạo người dùng, bạn có thể sửa thêm các thông tin khác của người dùng." in html
    html = admin_client.get(reverse("admin:accounts_user_change", args=[demo("vhxh").pk])).content.decode()
    assert "Hệ thống không lưu mật khẩu gốc nên không thể xem mật khẩu của người dùng." in html


def test_period_list_deadline_inputs_are_labelled(admin_client):
    html = admin_client.get(changelist("plans", "period")).content.decode()
    inputs = re.findall(r'<input [^>]*name="form-\d+-deadline"[^>]*>', html)
    assert inputs
    for tag in inputs:
        assert re.search(r'aria-label="Hạn nộp báo cáo kỳ [^"]+"', tag), tag
    assert 'aria-label="Hạn nộp báo cáo kỳ 6 tháng đầu năm 2026 (2026-H1)"' in html


def drafter_form(**extra):
    return {
        "username": "canbo-moi", "full_name": "Nguyễn Văn Mới", "position": "Cán bộ", "unit": "",
        "commune": Commune.objects.get(code="dien-chau").pk if Commune.objects.filter(code="dien-chau").exists() else Commune.objects.first().pk,
        "roles": ["drafter"], "password1": "Dien-Chau-2026!x", "password2": "Dien-Chau-2026!x", "_save": "Lưu lại", **extra,
    }


def test_admin_refuses_a_drafter_without_a_unit(admin_client):
    response = admin_client.post(reverse("admin:accounts_user_add"), drafter_form())
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["unit"] == ["Người có vai trò «Soạn thảo» phải thuộc một đơn vị: chọn đơn vị."]
    assert not User.objects.filter(username="canbo-moi").exists()
    # Another role needs no unit (the văn thư, the leaders work for the commune).
    response = admin_client.post(reverse("admin:accounts_user_add"), drafter_form(roles=["clerk"]))
    assert response.status_code == 302
    # Adding the drafter role later without a unit is refused too.
    person = User.objects.get(username="canbo-moi")
    response = admin_client.post(reverse("admin:accounts_user_change", args=[person.pk]), {
        "username": person.username, "full_name": person.full_name, "position": "", "email": "", "unit": "",
        "commune": person.commune_id, "roles": ["clerk", "drafter"], "is_active": "on",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "01/01/2026", "date_joined_1": "08:00:00", "_save": "Lưu lại",
    })
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    person.refresh_from_db()
    assert person.roles == ["clerk"]


def test_every_demo_drafter_has_a_unit():
    """load_demo creates its accounts through the same rule."""
    drafters = [u for u in User.objects.all() if u.has_role(Role.DRAFTER)]
    assert drafters and all(u.unit_id for u in drafters)


# --- units sort naturally everywhere -----------------------------------------------------------

def test_units_sort_naturally_in_lists_and_selects(admin_client):
    commune = Commune.objects.create(code="xa-sap-xep", name="Ủy ban nhân dân xã Sắp Xếp", short_name="UBND xã Sắp Xếp",
                                     header_lines=["ỦY BAN NHÂN DÂN", "XÃ SẮP XẾP"], place_name="Sắp Xếp", abbreviation="UBND")
    for number in (12, 2, 10, 1, 11):  # created out of order, all with the same position
        Unit.objects.create(commune=commune, code=f"sx-{number}", name=f"Xóm Sắp {number}", abbreviation=f"S{number}", kind="hamlet")
    expected = ["Xóm Sắp 1", "Xóm Sắp 2", "Xóm Sắp 10", "Xóm Sắp 11", "Xóm Sắp 12"]
    assert [u.name for u in Unit.objects.filter(commune=commune)] == expected
    html = admin_client.get(changelist("organizations", "unit"), {"commune__id__exact": commune.pk}).content.decode()
    assert [n for n in re.findall(r">(Xóm Sắp \d+)<", html)] == expected
    # The unit select of a person in the admin and the search page's unit filter list them the same way.
    html = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    listed = re.findall(r"Xóm Sắp \d+", html)
    assert listed == expected
    # Renaming keeps the order right.
    unit = Unit.objects.get(code="sx-2")
    unit.name = "Xóm Sắp 20"
    unit.save(update_fields=["name"])
    assert [u.name for u in Unit.objects.filter(commune=commune)][-1] == "Xóm Sắp 20"


def test_every_editable_box_in_an_admin_list_is_labelled(admin_client):
    """axe-core's "label" rule: list_editable boxes are named after their column and row."""
    html = admin_client.get(changelist("organizations", "unit"), {"kind__exact": "hamlet"}).content.decode()
    boxes = re.findall(r'<input [^>]*name="form-\d+-(?:order|active)"[^>]*>', html)
    assert len(boxes) == 24
    assert all('aria-label="' in box for box in boxes)
    assert 'aria-label="Thứ tự – Ban cán sự xóm 1 (mẫu)"' in html
    assert 'aria-label="Đang hoạt động – Ban cán sự xóm 12 (mẫu)"' in html
    # The person form: the unit is a labelled select, no nameless autocomplete search box.
    html = admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    assert '<label class="required" for="id_unit">' in html or '<label for="id_unit">' in html
    assert "admin-autocomplete" not in html


def test_admin_scripts_speak_vietnamese_too(admin_client):
    """The admin's JavaScript catalogue (calendar, two-list selector) has the strings Django lacks."""
    script = admin_client.get(reverse("admin:jsi18n")).content.decode("utf-8")
    script = script.encode().decode("unicode_escape") if "\\u" in script else script
    for text in ("Chọn tất cả %s", "Chủ nhật", "(bấm để xóa)"):
        assert text in script, text
