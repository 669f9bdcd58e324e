"""The plan data file: loading, validation errors by line, idempotency, periods, seed fidelity."""
import datetime as dt
import re
import unicodedata
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from organizations.models import Commune, Unit
from plans.models import Area, Assignment, Period, Plan, Target
from plans.periods import half_year_window, year_window
from workflows.content import SECTIONS
from workflows.models import Document
from tests.helpers.seed import SEED

DATA = Path(settings.BASE_DIR) / "data" / "dien-chau-2026-2030.yaml"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII"]

pytestmark = pytest.mark.django_db


def test_plan_structure_is_loaded():
    plan = Plan.objects.get(code="2026-2030")
    assert plan.commune.place_name == "Diễn Châu"
    assert plan.commune.abbreviation == "UBND"
    assert plan.coordinator.code == "vhxh"
    assert list(Area.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2, 3, 4]
    codes = list(Target.objects.filter(plan=plan).values_list("code", flat=True))
    assert codes == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "4.1", "4.2", "4.3"]
    assert Assignment.objects.filter(plan=plan).count() == 8


def test_every_target_has_measure_and_reporting_units():
    for target in Target.objects.prefetch_related("reporting_units"):
        assert target.reporting_units.exists(), target.code
        assert target.note, target.code
        if target.comparison in ("at_least", "over"):
            assert target.target_value is not None, target.code
    t22 = Target.objects.get(code="2.2")
    assert (t22.input_kind, t22.comparison, t22.target_value) == ("percent", "at_least", 95)
    assert [u.code for u in t22.reporting_units.all()] == ["vanphong"]
    t12 = Target.objects.get(code="1.2")
    assert t12.aggregation == "share_yes"
    assert set(t12.reporting_units.values_list("kind", flat=True)) == {"hamlet"}
    assert t12.reporting_units.count() == 12
    t13 = Target.objects.get(code="1.3")
    assert (t13.comparison, t13.target_value) == ("over", 90)
    assert Target.objects.get(code="3.3").comparison == "increase"
    assert Target.objects.get(code="4.3").comparison == "as_required"
    t31 = Target.objects.get(code="3.1")
    assert (t31.input_kind, t31.aggregation, t31.measure_unit) == ("count", "sum", "mô hình/năm")


def test_units_are_data_with_samples_marked():
    commune = Commune.objects.get(code="dien-chau")
    vhxh = Unit.objects.get(commune=commune, code="vhxh")
    assert vhxh.abbreviation == "VHXH" and vhxh.function == "coordinator"
    assert Unit.objects.get(code="vanphong").function == "office"
    assert Unit.objects.filter(kind="school", is_sample=True).count() == 3
    assert Unit.objects.filter(kind="hamlet", is_sample=True).count() == 12
    assert not Unit.objects.filter(kind__in=["department", "office", "health", "police"], is_sample=True).exists()


def test_periods_and_windows_follow_decree_09():
    plan = Plan.objects.get(code="2026-2030")
    codes = set(Period.objects.filter(plan=plan).values_list("code", flat=True))
    expected = {f"{y}-H1" for y in range(2026, 2031)} | {f"{y}-Y" for y in range(2026, 2031)} | {"2027-SK", "2030-TK"}
    assert codes == expected
    h1 = Period.objects.get(code="2026-H1")
    assert (h1.data_start, h1.data_end) == (dt.date(2025, 12, 15), dt.date(2026, 6, 14))
    assert h1.deadline > h1.data_end
    year = Period.objects.get(code="2027-Y")
    assert (year.data_start, year.data_end) == (dt.date(2026, 12, 15), dt.date(2027, 12, 14))
    sk = Period.objects.get(code="2027-SK")
    assert (sk.data_start, sk.data_end) == (dt.date(2025, 12, 15), dt.date(2027, 12, 14))
    tk = Period.objects.get(code="2030-TK")
    assert (tk.data_start, tk.data_end) == (dt.date(2025, 12, 15), dt.date(2030, 12, 14))
    assert sk.phase.name == "Giai đoạn 2026 – 2027"


@pytest.mark.parametrize(
    "year, start, end",
    [(2026, dt.date(2025, 12, 15), dt.date(2026, 6, 14)), (2031, dt.date(2030, 12, 15), dt.date(2031, 6, 14))],
)
def test_half_year_window_crosses_the_year_boundary(year, start, end):
    assert half_year_window(year) == (start, end)


def test_year_window_crosses_the_year_boundary():
    start, end = year_window(2028)
    assert start == dt.date(2027, 12, 15) and end == dt.date(2028, 12, 14)
    assert (end - start).days == 365  # 2028 is a leap year: 15/12/2027 .. 14/12/2028


def _dump():
    models = [Commune, Unit, Plan, Area, Target, Assignment, Period, Document, User]
    data = []
    for model in models:
        data.append(serializers.serialize("json", model.objects.order_by("pk")))
    return data


def test_loading_twice_changes_nothing():
    before = _dump()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "Tài khoản dùng thử mới tạo: 0." in out.getvalue()
    assert _dump() == before


def test_reload_keeps_a_deadline_changed_by_the_administrator():
    period = Period.objects.get(code="2026-Y")
    period.deadline = dt.date(2026, 12, 31)
    period.save()
    call_command("load_plan", stdout=StringIO())
    period.refresh_from_db()
    assert period.deadline == dt.date(2026, 12, 31)


def test_plan_document_is_a_draft_of_the_coordinator():
    document = Document.objects.get(kind="plan")
    assert document.state == "draft"
    assert document.unit.code == "vhxh"
    assert document.version == 1 and document.versions.count() == 1
    assert set(document.content["sections"]) == {key for key, _, _ in SECTIONS["plan"]}


def _seed_lines():
    lines = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = unicodedata.normalize("NFC", raw).strip()
        if not line:
            continue
        line = re.sub(r"^- \+ ", "+ ", line)  # nested bullets in the seed's text export
        lines.append(line)
    return lines


def _represented_lines(document):
    plan = document.plan
    lines = {"KẾ HOẠCH", plan.title, "Nơi nhận:", *plan.signer["lines"], plan.signer["name"]}
    lines |= {f"- {r};" for r in plan.recipients}
    lines.add(f"- Lưu: {plan.archive_line}.")
    numbered = [(key, heading) for key, heading, _ in SECTIONS["plan"]]
    index = 0
    for key, heading in numbered:
        if heading:
            lines.add(f"{ROMAN[index]}. {heading}")
            index += 1
        lines |= set(document.content["sections"][key].splitlines())
    return lines


def test_every_line_of_the_seed_is_represented():
    document = Document.objects.get(kind="plan")
    represented = _represented_lines(document)
    commune = document.commune
    rendered_by_header = {
        f"Số: /KH-{commune.abbreviation}",
        f"{commune.place_name}, ngày tháng 5 năm 2026",
    }
    # The seed's footer spells the unit "VHXXH": a typo for VHXH, corrected in the data file.
    missing = []
    for line in _seed_lines():
        line = line.replace("VHXXH", "VHXH")
        if line in rendered_by_header:
            continue
        if line not in represented:
            missing.append(line)
    assert missing == []
    assert document.plan.content["draft_month"] == 5


def _write(tmp_path, text):
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_yaml_names_the_line(tmp_path):
    text = DATA.read_text(encoding="utf-8").replace("  place_name: Diễn Châu", "  place_name: [Diễn Châu", 1)
    path = _write(tmp_path, text)
    with pytest.raises(CommandError) as info:
        call_command("load_plan", str(path), stdout=StringIO())
    assert re.search(r"dòng \d+: lỗi cú pháp YAML", str(info.value))


def test_invalid_values_name_their_lines_and_nothing_is_written(tmp_path):
    lines = DATA.read_text(encoding="utf-8").splitlines()
    broken = []
    for number, line in enumerate(lines, start=1):
        if 'code: "2.2"' in line:
            broken.append(line.replace('"2.2"', '"2.9"'))
            bad_code_line = number
        elif "input_kind: percent" in line and "bad_kind_line" not in locals():
            broken.append(line.replace("percent", "phantram"))
            bad_kind_line = number
        else:
            broken.append(line)
    path = _write(tmp_path, "\n".join(broken) + "\n")
    before = Target.objects.count()
    with pytest.raises(CommandError) as info:
        call_command("load_plan", str(path), stdout=StringIO())
    message = str(info.value)
    assert f"dòng {bad_code_line}: mã chỉ tiêu phải là «2.2»" in message
    assert f"dòng {bad_kind_line}: «input_kind»" in message
    assert Target.objects.count() == before


def test_unknown_unit_reference_is_reported(tmp_path):
    text = DATA.read_text(encoding="utf-8").replace("reporting_units: [kinhte]\n", "reporting_units: [phongkhongco]\n", 1)
    path = _write(tmp_path, text)
    with pytest.raises(CommandError) as info:
        call_command("load_plan", str(path), "--check", stdout=StringIO())
    assert "mã đơn vị «phongkhongco»" in str(info.value)
    assert re.search(r"dòng \d+: ", str(info.value))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="không tìm thấy tệp"):
        call_command("load_plan", str(tmp_path / "khong-co.yaml"), stdout=StringIO())


def test_check_mode_validates_without_writing():
    out = StringIO()
    call_command("load_plan", str(DATA), "--check", stdout=out)
    assert "Tệp hợp lệ: 25 đơn vị, 13 chỉ tiêu." in out.getvalue()
