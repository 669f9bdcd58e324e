"""One typed content model per kind: what is stored is the model's dump, what is read goes
through the model, and the 0004 migration converts older rows (and back)."""
import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.production import scratch_env
from tests.helpers.workflow import demo, fill_unit_report, new_unit_report
from workflows import content as doc_content
from workflows.errors import Invalid
from workflows.services import update_document

ROOT = Path(__file__).resolve().parents[2]
migration = importlib.import_module("workflows.migrations.0004_typed_content")

OLD_UNIT_REPORT = {
    "sections": {"results": "Kết quả."},
    "values": {"3.2": {"value": True, "note": "", "evidence": ""}},
    "models": [{"name": "Trạm Y tế xanh", "kind": "Cơ quan xanh", "note": ""}],
    "previous": {},
    "number_label": "",
    "recipients": [],
    "data_window": "",
}
OLD_PLAN = {"sections": {"preamble": "Căn cứ ..."}, "values": {}, "models": []}
OLD_SUMMARY = {"sections": {}, "values": {}, "models": [], "compiled": {"computed_at": "2026-06-20T08:00:00+07:00", "targets": []}}


def test_migration_converts_each_kind_to_its_model():
    unit = migration.forward_content("unit_report", OLD_UNIT_REPORT)
    assert unit == {
        "sections": {"results": "Kết quả."},
        "values": {"3.2": {"value": True, "note": "", "evidence": ""}},
        "initiatives": [{"name": "Trạm Y tế xanh", "kind": "Cơ quan xanh", "note": ""}],
        "previous": None,
    }
    assert unit == doc_content.load("unit_report", unit).dump()
    plan = migration.forward_content("plan", OLD_PLAN)
    assert plan == {"sections": {"preamble": "Căn cứ ..."}} == doc_content.load("plan", plan).dump()
    summary = migration.forward_content("summary_report", OLD_SUMMARY)
    assert set(summary) == {"sections", "compiled"}
    assert doc_content.load("summary_report", summary).compiled.computed_at == "2026-06-20T08:00:00+07:00"


def test_migration_backwards_restores_the_old_keys():
    unit = migration.backward_content("unit_report", migration.forward_content("unit_report", OLD_UNIT_REPORT))
    assert unit == {k: v for k, v in OLD_UNIT_REPORT.items() if k not in ("number_label", "recipients", "data_window")}
    assert migration.backward_content("plan", migration.forward_content("plan", OLD_PLAN)) == OLD_PLAN
    assert migration.backward_content("summary_report", migration.forward_content("summary_report", OLD_SUMMARY)) == OLD_SUMMARY


MIGRATION_ROUND_TRIP = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.db import connection
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
call_command("load_demo", verbosity=0)
from tests.helpers.workflow import demo, fill_unit_report, new_unit_report
from workflows.services import update_document
from workflows.models import Document
report = fill_unit_report(new_unit_report())
report = update_document(report.pk, demo("tramyte"), version=report.version,
                         initiatives=[{"name": "Trạm Y tế xanh", "kind": "Cơ quan xanh"}])
before = {d.pk: d.content for d in Document.objects.all()}

def stored(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT content FROM {table} WHERE id = %s", [pk])
        return json.loads(cursor.fetchone()[0])

call_command("migrate", "workflows", "0003", verbosity=0)
old = stored("workflows_document", report.pk)
assert old["models"] == [{"name": "Trạm Y tế xanh", "kind": "Cơ quan xanh", "note": ""}], old
assert "initiatives" not in old and old["previous"] == {}, old
# Only the id through the live model: at 0003 the table has none of the later columns (assignee, search_text).
plan_pk = Document.objects.filter(kind="plan").values_list("pk", flat=True).get()
assert stored("workflows_document", plan_pk)["models"] == [], "plans carried empty models"
version = report.versions.order_by("-number").first()
assert "models" in stored("workflows_documentversion", version.pk)
call_command("migrate", verbosity=0)
after = {d.pk: d.content for d in Document.objects.all()}
assert after == before, "forward after backward gives the same content"
assert Document.objects.get(pk=report.pk).typed_content.initiatives[0].name == "Trạm Y tế xanh"
assert "models" not in stored("workflows_documentversion", version.pk)
print("ROUND TRIP", len(after))
"""


def test_migration_round_trip_on_a_database(tmp_path):
    env = scratch_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", MIGRATION_ROUND_TRIP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ROUND TRIP" in result.stdout


@pytest.mark.django_db
def test_stored_content_is_the_models_dump():
    report = fill_unit_report(new_unit_report())
    report = update_document(
        report.pk, demo("tramyte"), version=report.version, initiatives=[{"name": "Trạm Y tế xanh", "kind": "Cơ quan xanh"}]
    )
    typed = report.typed_content
    assert isinstance(typed, doc_content.UnitReportContent)
    assert report.content == typed.dump()
    assert json.loads(json.dumps(report.content)) == report.content
    assert set(report.content) == {"sections", "values", "initiatives", "previous"}
    assert typed.initiatives == [doc_content.Initiative(name="Trạm Y tế xanh", kind="Cơ quan xanh")]
    latest = report.versions.get(number=report.version)
    assert latest.typed_content == typed


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["plan", "summary_report"])
def test_only_unit_reports_have_values_and_initiatives(kind):
    content = doc_content.empty(kind)
    with pytest.raises(Invalid) as caught:
        content.with_initiatives([{"name": "Xóm số"}])
    assert "initiatives" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        content.with_values({}, [{"code": "1.1", "value": 1}])
    assert "values" in caught.value.errors
