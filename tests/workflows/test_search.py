"""Search by a folded column kept on every save, served by a trigram index on PostgreSQL; the
search page counts returns per page row and offers one commune's periods and units."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers.parallel import postgres_only
from tests.helpers.web import client_for
from tests.helpers.workflow import demo, fill_unit_report, new_unit_report
from workflows import queries, search
from workflows.models import Document
from workflows.services import update_document

pytestmark = pytest.mark.django_db


def test_search_text_is_folded_and_kept_on_every_save():
    report = fill_unit_report(new_unit_report())
    stored = Document.objects.values_list("search_text", flat=True).get(pk=report.pk)
    assert stored.startswith(" ") and stored.endswith(" ")
    assert " tram y te xa " in stored  # the unit's name, folded (đ, marks, case)
    update_document(report.pk, demo("tramyte"), version=report.version, title="Chuyển đổi SỐ ở Đội 3 (thí điểm)")
    stored = Document.objects.values_list("search_text", flat=True).get(pk=report.pk)
    assert " chuyen doi so o doi 3 thi diem " in stored


@pytest.mark.parametrize(
    ("query", "found"),
    [("chuyen doi so", True), ("CHUYỂN ĐỔI SỐ", True), ("Chuyển  đổi", True), ("doi so", True), ("uyen doi", False), ("so o", False)],
)
def test_phrase_matches_at_a_word_boundary_without_diacritics_or_case(query, found):
    report = new_unit_report()
    update_document(report.pk, demo("tramyte"), version=report.version, title="Về chuyển đổi số, năm 2026")
    results = queries.find_documents(demo("tramyte"), q=query)
    assert (report.pk in [d.pk for d in results]) is found


def test_search_is_one_query_for_the_page_whatever_the_number_of_documents():
    reports = [new_unit_report(period_code=code) for code in ("2026-H1", "2026-Y")]
    reviewer = demo("vhxh")
    with CaptureQueriesContext(connection) as captured:
        page = list(queries.find_documents(reviewer, q="tram y te")[:20])
    assert {r.pk for r in reports} <= {d.pk for d in page}
    # The page, after the one lookup of the communes this user may read (tenancy).
    assert len(captured) == 2 and "supervised_communes" in captured[0]["sql"]
    sql = captured[1]["sql"]
    # Returns are counted by a subquery per row of the page, not by grouping all documents and their audit trail.
    assert "search_text" in sql and "GROUP BY \"workflows_document\"" not in sql


def test_search_page_offers_only_the_users_communes_periods_and_units():
    html = client_for("vhxh").get("/van-ban/tra-cuu/").content.decode()
    # The demo commune's 12 periods, each once; its units, each once.
    assert html.count('value="2026-H1"') == 1
    assert html.count('value="tramyte"') == 1


@postgres_only
def test_search_on_postgresql_reads_the_trigram_index():
    assert search.fold("Chuyển đổi số") == "chuyen doi so"
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = Document.objects.filter(search_text__contains=" chuyen doi so").values("id").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "document_search_trgm" in plan, plan
