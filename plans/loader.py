"""Load a plan data file (YAML) into the database, validating it and naming the line of each error.

The file is the single source of the plan's structure: the commune, its units, the areas of work,
the 13 targets and who reports them, section III, the phases and the reporting periods. Loading is
idempotent: a second run with the same file changes nothing, and a deadline an administrator
changed in the admin is kept.

The plan's own document (a `plan` draft) is made by the layer that owns documents:
`manage.py load_plan` (workflows) calls `load` and then workflows.services.ensure_plan_document in
one transaction.
"""
import unicodedata
from pathlib import Path

import yaml
from django.db import transaction

from organizations.models import Commune, Unit

from .models import Area, Assignment, Period, Phase, Plan, Target
from .periods import period_specs

UNIT_GROUPS = {"schools": Unit.Kind.SCHOOL, "hamlets": Unit.Kind.HAMLET, "front": Unit.Kind.FRONT}


class PlanDataError(Exception):
    def __init__(self, errors):
        self.errors = errors  # list of (line or None, message)
        super().__init__("\n".join(self.lines()))

    def lines(self):
        return [f"dòng {line}: {msg}" if line else msg for line, msg in self.errors]


class Node(dict):
    """A mapping that remembers the line of each key (1-based)."""

    line = None
    key_lines = None


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node):
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_str(loader, node):
    return unicodedata.normalize("NFC", loader.construct_scalar(node))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def parse(text):
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise PlanDataError([(mark.line + 1 if mark else None, f"lỗi cú pháp YAML: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise PlanDataError([(None, f"lỗi cú pháp YAML: {exc}")]) from None
    if not isinstance(data, Node):
        raise PlanDataError([(1, "tệp dữ liệu phải là một bảng có các mục commune, units, plan, periods")])
    return data


class _Checker:
    """Collects every error of the file at once, so the administrator can fix them in one go."""

    def __init__(self):
        self.errors = []

    def line(self, node, key=None):
        if isinstance(node, Node):
            if key is not None and node.key_lines and key in node.key_lines:
                return node.key_lines[key]
            return node.line
        return None

    def fail(self, node, key, message):
        self.errors.append((self.line(node, key), message))

    def mapping(self, parent, key, where):
        value = parent.get(key) if isinstance(parent, dict) else None
        if not isinstance(value, dict):
            self.fail(parent, key, f"thiếu mục «{key}» ({where}) hoặc mục này không phải là một bảng")
            return Node()
        return value

    def text(self, node, key, where, required=True):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(node, key, f"thiếu «{key}» ({where})")
            return ""
        if not isinstance(value, (str, int, float)):
            self.fail(node, key, f"«{key}» ({where}) phải là chữ")
            return ""
        return str(value).strip()

    def text_list(self, node, key, where, required=True):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(node, key, f"«{key}» ({where}) phải là danh sách các dòng chữ không rỗng")
            return []
        return [v.strip() for v in value]

    def integer(self, node, key, where, required=True):
        value = node.get(key) if isinstance(node, dict) else None
        if value is None and not required:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(node, key, f"«{key}» ({where}) phải là số nguyên")
            return None
        return value

    def choice(self, node, key, where, choices):
        value = node.get(key) if isinstance(node, dict) else None
        if value not in choices:
            self.fail(node, key, f"«{key}» ({where}) phải là một trong: {', '.join(choices)} (đang là {value!r})")
            return None
        return value


def validate(data):
    """Turn the parsed file into a clean structure, or raise PlanDataError listing every problem."""
    c = _Checker()
    commune_node = c.mapping(data, "commune", "cơ quan ban hành")
    commune = {
        "code": c.text(commune_node, "code", "commune"),
        "name": c.text(commune_node, "name", "commune"),
        "short_name": c.text(commune_node, "short_name", "commune"),
        "header_lines": c.text_list(commune_node, "header_lines", "commune"),
        "parent_name": c.text(commune_node, "parent_name", "commune", required=False),
        "place_name": c.text(commune_node, "place_name", "commune"),
        "abbreviation": c.text(commune_node, "abbreviation", "commune"),
        "collective_title": c.text(commune_node, "collective_title", "commune", required=False) or "ỦY BAN NHÂN DÂN",
        "chairman_title": c.text(commune_node, "chairman_title", "commune", required=False) or "CHỦ TỊCH",
        "vice_chairman_title": c.text(commune_node, "vice_chairman_title", "commune", required=False) or "PHÓ CHỦ TỊCH",
    }

    units = []
    unit_nodes = data.get("units")
    if not isinstance(unit_nodes, list) or not unit_nodes:
        c.fail(data, "units", "thiếu danh sách đơn vị «units»")
        unit_nodes = []
    seen = set()
    for node in unit_nodes:
        if not isinstance(node, dict):
            c.errors.append((None, "mỗi đơn vị phải là một bảng {code, name, abbreviation, kind}"))
            continue
        code = c.text(node, "code", "đơn vị")
        if code in seen:
            c.fail(node, "code", f"mã đơn vị «{code}» bị trùng")
        seen.add(code)
        units.append(
            {
                "code": code,
                "name": c.text(node, "name", f"đơn vị {code}"),
                "abbreviation": c.text(node, "abbreviation", f"đơn vị {code}"),
                "kind": c.choice(node, "kind", f"đơn vị {code}", Unit.Kind.values),
                "function": c.choice(node, "function", f"đơn vị {code}", Unit.Function.values)
                if "function" in node
                else Unit.Function.MEMBER,
                "head_title": c.text(node, "head_title", f"đơn vị {code}", required=False),
                "head_name": c.text(node, "head_name", f"đơn vị {code}", required=False),
                "email": c.text(node, "email", f"đơn vị {code}", required=False),
                "is_sample": bool(node.get("sample", False)),
                "order": len(units) + 1,
            }
        )
    kinds_by_code = {u["code"]: u["kind"] for u in units}

    def unit_refs(node, key, where):
        refs = node.get(key) if isinstance(node, dict) else None
        if not isinstance(refs, list) or not refs:
            c.fail(node, key, f"«{key}» ({where}) phải là danh sách mã đơn vị hoặc nhóm (schools, hamlets, front)")
            return []
        codes = []
        for ref in refs:
            if ref in UNIT_GROUPS:
                group = [code for code, kind in kinds_by_code.items() if kind == UNIT_GROUPS[ref]]
                if not group:
                    c.fail(node, key, f"nhóm «{ref}» ({where}) không có đơn vị nào")
                codes.extend(group)
            elif ref in kinds_by_code:
                codes.append(ref)
            else:
                c.fail(node, key, f"mã đơn vị «{ref}» ({where}) không có trong danh sách units")
        return codes

    plan_node = c.mapping(data, "plan", "kế hoạch")
    plan = {
        "code": c.text(plan_node, "code", "plan"),
        "title": c.text(plan_node, "title", "plan"),
        "start_year": c.integer(plan_node, "start_year", "plan"),
        "end_year": c.integer(plan_node, "end_year", "plan"),
        "draft_month": c.integer(plan_node, "draft_month", "plan", required=False),
        "coordinator": c.text(plan_node, "coordinator", "plan"),
        "basis": c.text_list(plan_node, "basis", "căn cứ"),
        "purposes": c.text_list(plan_node, "purposes", "mục đích"),
        "requirements": c.text_list(plan_node, "requirements", "yêu cầu"),
        "solutions": c.text_list(plan_node, "solutions", "giải pháp"),
        "organisation": c.text_list(plan_node, "organisation", "tổ chức thực hiện"),
        "recipients": c.text_list(plan_node, "recipients", "nơi nhận"),
        "archive_line": c.text(plan_node, "archive_line", "dòng lưu"),
    }
    if plan["coordinator"] and plan["coordinator"] not in kinds_by_code:
        c.fail(plan_node, "coordinator", f"cơ quan thường trực «{plan['coordinator']}» không có trong danh sách units")
    if plan["start_year"] and plan["end_year"] and plan["start_year"] > plan["end_year"]:
        c.fail(plan_node, "end_year", "năm kết thúc phải sau năm bắt đầu")
    signer = c.mapping(plan_node, "signer", "khối chữ ký")
    plan["signer"] = {"lines": c.text_list(signer, "lines", "khối chữ ký"), "name": c.text(signer, "name", "khối chữ ký")}

    areas = []
    target_codes = set()
    for index, node in enumerate(plan_node.get("areas") or [], start=1):
        number = c.integer(node, "number", "nội dung thi đua")
        if number is not None and number != index:
            c.fail(node, "number", f"nội dung thi đua thứ {index} phải có number: {index}")
        area = {
            "number": number,
            "title": c.text(node, "title", f"nội dung {index}"),
            "activities": c.text_list(node, "activities", f"nội dung {index}"),
            "targets": [],
        }
        for order, tnode in enumerate(node.get("targets") or [], start=1):
            code = c.text(tnode, "code", f"chỉ tiêu thứ {order} của nội dung {index}")
            expected = f"{index}.{order}"
            if code and code != expected:
                c.fail(tnode, "code", f"mã chỉ tiêu phải là «{expected}» (theo nội dung và thứ tự), đang là «{code}»")
            if code in target_codes:
                c.fail(tnode, "code", f"mã chỉ tiêu «{code}» bị trùng")
            target_codes.add(code)
            target = {
                "code": code,
                "text": c.text(tnode, "text", f"chỉ tiêu {code}"),
                "input_kind": c.choice(tnode, "input_kind", f"chỉ tiêu {code}", Target.InputKind.values),
                "comparison": c.choice(tnode, "comparison", f"chỉ tiêu {code}", Target.Comparison.values),
                "aggregation": c.choice(tnode, "aggregation", f"chỉ tiêu {code}", Target.Aggregation.values),
                "measure_unit": c.text(tnode, "measure_unit", f"chỉ tiêu {code}", required=False),
                "note": c.text(tnode, "note", f"chỉ tiêu {code}"),
                "reporting_units": unit_refs(tnode, "reporting_units", f"chỉ tiêu {code}"),
                "target_value": tnode.get("target_value") if isinstance(tnode, dict) else None,
            }
            value = target["target_value"]
            if target["comparison"] in ("at_least", "over"):
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    c.fail(tnode, "target_value", f"chỉ tiêu {code} so sánh «{target['comparison']}» cần target_value là số không âm")
                elif target["input_kind"] == "percent" and value > 100:
                    c.fail(tnode, "target_value", f"chỉ tiêu {code}: tỷ lệ không quá 100")
            area["targets"].append(target)
        if not area["targets"]:
            c.fail(node, "targets", f"nội dung {index} chưa có chỉ tiêu nào")
        areas.append(area)
    if not areas:
        c.fail(plan_node, "areas", "thiếu các nội dung thi đua «areas»")

    assignments = []
    for index, node in enumerate(plan_node.get("assignments") or [], start=1):
        assignments.append(
            {
                "number": index,
                "heading": c.text(node, "heading", f"phân công {index}"),
                "tasks": c.text_list(node, "tasks", f"phân công {index}"),
                "units": unit_refs(node, "units", f"phân công {index}"),
            }
        )
    if not assignments:
        c.fail(plan_node, "assignments", "thiếu phân công nhiệm vụ «assignments»")

    phases = []
    for index, node in enumerate(plan_node.get("phases") or [], start=1):
        phase = {
            "number": index,
            "name": c.text(node, "name", f"giai đoạn {index}"),
            "start_year": c.integer(node, "start_year", f"giai đoạn {index}"),
            "end_year": c.integer(node, "end_year", f"giai đoạn {index}"),
            "review": c.choice(node, "review", f"giai đoạn {index}", ["SK", "TK"]),
            "items": c.text_list(node, "items", f"giai đoạn {index}"),
        }
        if plan["start_year"] and plan["end_year"] and phase["start_year"] and phase["end_year"]:
            if not (plan["start_year"] <= phase["start_year"] <= phase["end_year"] <= plan["end_year"]):
                c.fail(node, "start_year", f"giai đoạn {index} phải nằm trong {plan['start_year']}–{plan['end_year']}")
        phases.append(phase)
    if not phases:
        c.fail(plan_node, "phases", "thiếu các giai đoạn «phases»")

    periods_node = c.mapping(data, "periods", "kỳ báo cáo")
    days = c.integer(periods_node, "deadline_days_after_cutoff", "kỳ báo cáo")
    if days is not None and not 0 <= days <= 60:
        c.fail(periods_node, "deadline_days_after_cutoff", "hạn nộp phải từ 0 đến 60 ngày sau ngày chốt số liệu")

    if c.errors:
        raise PlanDataError(c.errors)
    plan.update(areas=areas, assignments=assignments, phases=phases)
    return {"commune": commune, "units": units, "plan": plan, "deadline_days": days}


def read(path):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlanDataError([(None, f"không tìm thấy tệp {path}")]) from None
    except UnicodeDecodeError as exc:
        raise PlanDataError([(None, f"tệp {path} không phải UTF-8: {exc}")]) from None
    return validate(parse(text))


def _upsert(model, lookup, values, *, on_create=None):
    """Create or update; `on_create` values are only written when the row is new."""
    obj, created = model.objects.get_or_create(**lookup, defaults={**values, **(on_create or {})})
    if not created:
        changed = [k for k, v in values.items() if getattr(obj, k) != v]
        for key in changed:
            setattr(obj, key, values[key])
        if changed:
            obj.save(update_fields=changed)
    return obj


@transaction.atomic
def load(clean, source_file=""):
    """Write a validated plan to the database. Returns the Plan."""
    commune_data = dict(clean["commune"])
    commune = _upsert(Commune, {"code": commune_data.pop("code")}, commune_data)

    units = {}
    for data in clean["units"]:
        data = dict(data)
        code = data.pop("code")
        units[code] = _upsert(Unit, {"commune": commune, "code": code}, data)

    p = clean["plan"]
    content = {
        "basis": p["basis"],
        "purposes": p["purposes"],
        "requirements": p["requirements"],
        "solutions": p["solutions"],
        "organisation": p["organisation"],
        "draft_month": p["draft_month"],
    }
    plan = _upsert(
        Plan,
        {"commune": commune, "code": p["code"]},
        {
            "title": p["title"],
            "start_year": p["start_year"],
            "end_year": p["end_year"],
            "coordinator": units[p["coordinator"]],
            "content": content,
            "recipients": p["recipients"],
            "archive_line": p["archive_line"],
            "signer": p["signer"],
            "source_file": str(source_file),
        },
    )

    order = 0
    for a in p["areas"]:
        area = _upsert(Area, {"plan": plan, "number": a["number"]}, {"title": a["title"], "activities": a["activities"]})
        for t in a["targets"]:
            order += 1
            target = _upsert(
                Target,
                {"plan": plan, "code": t["code"]},
                {
                    "area": area,
                    "order": order,
                    "text": t["text"],
                    "input_kind": t["input_kind"],
                    "comparison": t["comparison"],
                    "target_value": t["target_value"],
                    "measure_unit": t["measure_unit"],
                    "aggregation": t["aggregation"],
                    "note": t["note"],
                },
            )
            wanted = {units[c].pk for c in t["reporting_units"]}
            if set(target.reporting_units.values_list("pk", flat=True)) != wanted:
                target.reporting_units.set(wanted)

    for a in p["assignments"]:
        assignment = _upsert(Assignment, {"plan": plan, "number": a["number"]}, {"heading": a["heading"], "tasks": a["tasks"]})
        wanted = {units[c].pk for c in a["units"]}
        if set(assignment.units.values_list("pk", flat=True)) != wanted:
            assignment.units.set(wanted)

    phases = {}
    for ph in p["phases"]:
        phases[ph["review"]] = _upsert(
            Phase,
            {"plan": plan, "number": ph["number"]},
            {"name": ph["name"], "start_year": ph["start_year"], "end_year": ph["end_year"], "items": ph["items"]},
        )

    for spec in period_specs(p["start_year"], p["end_year"], p["phases"], clean["deadline_days"]):
        phase = phases.get(spec.kind) or next(
            (ph for ph in phases.values() if ph.start_year <= spec.year <= ph.end_year), None
        )
        # The deadline belongs to the administrator once created; the window follows the law.
        _upsert(
            Period,
            {"plan": plan, "code": spec.code},
            {
                "kind": spec.kind,
                "year": spec.year,
                "name": spec.name,
                "data_start": spec.data_start,
                "data_end": spec.data_end,
                "phase": phase,
            },
            on_create={"deadline": spec.deadline},
        )

    return plan
