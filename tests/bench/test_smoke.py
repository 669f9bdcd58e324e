"""The benchmark at toy size (`make bench` runs it at province scale, outside `make test`): the
dataset command writes reproducible communes that the application serves like any other, and
the run writes a report with every measurement, its baseline and the ratio."""
import pytest
from django.core.management import call_command

from organizations.models import Commune
from tests.helpers.web import client_for
from workflows.models import Document, State

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.usefixtures("demo_snapshot")]

ROWS = [
    "Word render of the plan",
    "web search q=chuyen doi so, page 1",
    "web search without text, page 1",
    "API GET /api/v1/documents",
    "web review queue /tham-dinh/",
    "issue, 1 process, one commune",
    "issue, 4 communes in parallel",
    "issue, 2 processes, one commune",
    "reminder run (first)",
    "reminder run (second)",
    "open a round, one commune",
    "open a round and deliver its notices inline, one commune",
    "compile the summary report, one commune",
    "open a round in every commune, one after another",
    "compile in every commune, one after another",
]


def test_dataset_then_run_writes_a_report_with_every_row(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("bench_dataset", communes=5, periods=2, seed=7, stdout=open(tmp_path / "log", "w"))
    generated = Commune.objects.filter(code__startswith="bench-")
    assert generated.count() == 4
    per_commune = {c.code: Document.objects.filter(commune=c).count() for c in generated}
    assert len(set(per_commune.values())) == 1 and min(per_commune.values()) > 25
    # A generated commune works like the demo one: its reviewer finds its documents without diacritics.
    html = client_for("vhxh-001").get("/van-ban/tra-cuu/", {"q": "thu nghiem 001"}).content.decode()
    assert "trên địa bàn xã Thử nghiệm 001" in html
    # Same seed, same states; running the command again adds nothing.
    states = sorted(Document.objects.filter(commune__code="bench-002").values_list("state", flat=True))
    call_command("bench_dataset", communes=5, periods=2, seed=7, stdout=open(tmp_path / "log", "w"))
    assert sorted(Document.objects.filter(commune__code="bench-002").values_list("state", flat=True)) == states
    assert State.APPROVED in states

    out = tmp_path / "latest.md"
    call_command("bench_run", clients=2, requests=1, issues=4, out=str(out), stdout=open(tmp_path / "log", "w"), stderr=open(tmp_path / "err", "w"))
    report = out.read_text()
    table = [line for line in report.splitlines() if line.startswith("| ") and not line.startswith("| Measurement")]
    assert [next((r for r in ROWS if line.startswith(f"| {r}")), None) for line in table] == ROWS
    assert "failed" not in report
    assert "sent 0" in next(line for line in table if line.startswith("| reminder run (second)"))
    assert "×" in next(line for line in table if line.startswith("| Word render"))
    # The parallel issuing row says what the machine's cores allow, measured from the CPU of one issue.
    assert "ceiling of this machine" in next(line for line in table if line.startswith("| issue, 4 communes"))
    assert "ms of CPU per issue" in next(line for line in table if line.startswith("| issue, 1 process"))
