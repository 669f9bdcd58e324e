"""What a document contains: one typed model per kind, validated once on the way in.

    PlanContent           sections
    UnitReportContent     sections, values {target code: TargetEntry}, initiatives [Initiative],
                          previous (the unit's values of its previous approved report)
    SummaryReportContent  sections, compiled (figures computed from the unit reports)

`Document.typed_content` reads the JSON field into the kind's model; `model.dump()` is the one
way back into the field. User input enters through the `with_*` methods, which clean the text
(lone surrogates refused, NFC, control and invisible characters dropped), check each value against
its target and raise workflows.errors.Invalid with Vietnamese messages naming the field.
"""
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Optional, Union

from annotated_types import MaxLen
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from .errors import Invalid

# Sections of each kind of document, in order: (key, heading in the document, required to submit).
# A heading of None means the section is printed without a numbered heading (opening paragraph).
SECTIONS = {
    "plan": [
        ("preamble", None, True),
        ("purposes", "MỤC ĐÍCH, YÊU CẦU", True),
        ("contents", "NỘI DUNG THI ĐUA", True),
        ("assignments", "PHÂN CÔNG NHIỆM VỤ", True),
        ("solutions", "GIẢI PHÁP THỰC HIỆN", True),
        ("timeline", "THỜI GIAN THỰC HIỆN", True),
        ("organisation", "TỔ CHỨC THỰC HIỆN", True),
    ],
    "unit_report": [
        ("preamble", None, False),
        ("results", "KẾT QUẢ THỰC HIỆN", True),
        ("shortcomings", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", False),
        ("next_tasks", "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", False),
        ("proposals", "ĐỀ XUẤT, KIẾN NGHỊ", False),
    ],
    "summary_report": [
        ("preamble", None, False),
        ("results", "KẾT QUẢ THỰC HIỆN", True),
        ("shortcomings", "TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", True),
        ("next_tasks", "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", True),
        ("proposals", "ĐỀ XUẤT, KIẾN NGHỊ", False),
    ],
}
SECTION_LABELS = {
    "preamble": "Phần mở đầu",
    "purposes": "Mục đích, yêu cầu",
    "contents": "Nội dung thi đua",
    "assignments": "Phân công nhiệm vụ",
    "solutions": "Giải pháp thực hiện",
    "timeline": "Thời gian thực hiện",
    "organisation": "Tổ chức thực hiện",
    "results": "Kết quả thực hiện",
    "shortcomings": "Tồn tại, hạn chế và nguyên nhân",
    "next_tasks": "Phương hướng, nhiệm vụ kỳ tới",
    "proposals": "Đề xuất, kiến nghị",
}

INITIATIVE_KINDS = [
    "Xóm số",
    "Tuyến đường xanh",
    "Chợ không dùng tiền mặt",
    "Cơ quan xanh",
    "Đường hoa",
    "Nhà sạch - vườn đẹp",
    "Gia đình số",
    "Chi hội xanh",
    "Tuyến đường tự quản",
    "Khác",
]

MAX_TITLE = 500
MAX_SECTION = 30000
MAX_NOTE = 2000
MAX_TEXT_VALUE = 1000
MAX_EVIDENCE = 500
MAX_INITIATIVES = 100
MAX_COMMENT = 5000
MAX_INITIATIVE_NAME = 200
MAX_INITIATIVE_KIND = 100

# Control characters, plus characters that are invisible but change how text reads: bidirectional
# embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069; "Trojan Source"), zero-width
# space, non-joiner and joiner (U+200B–U+200D) and the byte order mark (U+FEFF). Line breaks and
# tabs are kept.
INVISIBLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff"
_CONTROL = re.compile(f"[{INVISIBLE}]")
# Half of a UTF-16 pair on its own (JSON "\udfff"): no character at all, and neither UTF-8 nor
# PostgreSQL can store it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value, field, max_length, *, multiline=True):
    """Refuse lone surrogates; NFC-normalise, drop control and invisible characters, unify line
    breaks, enforce a length limit. Every text a user sends passes through here."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid("Dữ liệu không hợp lệ.", {field: ["Phải là một chuỗi văn bản."]})
    if _SURROGATE.search(value):
        raise Invalid(
            "Dữ liệu không hợp lệ.",
            {field: ["Chứa ký tự Unicode không hợp lệ (nửa cặp thay thế UTF-16 đứng riêng); hãy gõ lại hoặc dán lại đoạn văn bản."]},
        )
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        text = text.replace("\n", " ")
    # Stripping first: a removed character between a letter and its accent would leave text that is not NFC.
    text = unicodedata.normalize("NFC", _CONTROL.sub("", text)).strip()
    if len(text) > max_length:
        raise Invalid(
            "Dữ liệu không hợp lệ.",
            {field: [f"Dài {len(text)} ký tự, vượt quá giới hạn {max_length} ký tự."]},
        )
    return text


def section_keys(kind):
    return [key for key, _, _ in SECTIONS[kind]]


def _parse_value(target, raw):
    """Check one target value against the target's input kind; return the stored JSON value."""
    kind = target.input_kind
    if raw is None:
        return None
    if kind == "percent":
        if isinstance(raw, bool):
            raise ValueError("Phải là một số phần trăm từ 0 đến 100.")
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except (InvalidOperation, ValueError):
            raise ValueError("Phải là một số phần trăm từ 0 đến 100.") from None
        if not number.is_finite() or number < 0 or number > 100:
            raise ValueError("Tỷ lệ phải từ 0 đến 100.")
        if number != number.quantize(Decimal("0.01")):
            raise ValueError("Tỷ lệ chỉ được có tối đa 2 chữ số thập phân.")
        return float(number)
    if kind == "count":
        if isinstance(raw, bool):
            raise ValueError("Phải là một số nguyên không âm.")
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int) or raw < 0:
            raise ValueError("Phải là một số nguyên không âm.")
        if raw > 1_000_000:
            raise ValueError("Số lượng quá lớn.")
        return raw
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        answer = raw.strip().lower() if isinstance(raw, str) else None
        if answer in {"true", "dat", "đạt", "1", "co", "có"}:
            return True
        if answer in {"false", "chua dat", "chưa đạt", "khong dat", "không đạt", "0", "khong", "không"}:
            return False
        raise ValueError("Chọn «Đạt» hoặc «Chưa đạt».")
    if not isinstance(raw, str):
        raise ValueError("Phải là một đoạn văn bản.")
    text = clean_text(raw, "value", MAX_TEXT_VALUE)
    return text or None


# --- the typed content ----------------------------------------------------------------------
# A target value as stored: percent (float), count (int), achieved (bool), text (str), or None.
Value = Optional[Union[StrictBool, int, float, str]]


class _Part(BaseModel):
    # Stored content was validated when written; keys this model does not know are dropped on load.
    model_config = ConfigDict(extra="ignore")


# The limits below are declared once, on the models: the services clean text to them (limit())
# and api.schemas derives its request shapes from the same fields.
class TargetEntry(_Part):
    """A unit's result for one target: the value, a note and where the evidence is."""

    value: Value = Field(None, description="Phần trăm (số), số lượng (số nguyên), đạt (true/false) hoặc lời đánh giá ngắn")
    note: str = Field("", max_length=MAX_NOTE, description=f"Ghi chú, tối đa {MAX_NOTE} ký tự sau chuẩn hóa NFC")
    evidence: str = Field("", max_length=MAX_EVIDENCE, description=f"Minh chứng, tối đa {MAX_EVIDENCE} ký tự sau chuẩn hóa NFC")


class Initiative(_Part):
    """A "mô hình" the unit built in the period (Xóm số, Tuyến đường xanh, ...)."""

    name: str = Field(..., min_length=1, max_length=MAX_INITIATIVE_NAME, description="Tên mô hình")
    kind: str = Field("Khác", max_length=MAX_INITIATIVE_KIND, description="Loại mô hình: " + ", ".join(INITIATIVE_KINDS))
    note: str = Field("", max_length=MAX_NOTE, description=f"Ghi chú, tối đa {MAX_NOTE} ký tự sau chuẩn hóa NFC")


def limit(model, field):
    """The max_length a content model declares for one of its text fields."""
    return next(m.max_length for m in model.model_fields[field].metadata if isinstance(m, MaxLen))


class PreviousValues(_Part):
    """The unit's values in its previous approved report, shown beside the inputs."""

    period: str = ""
    period_name: str = ""
    values: dict[str, Value] = Field(default_factory=dict)


class Contribution(_Part):
    unit: str = Field(..., description="Tên đơn vị")
    value_label: str = Field(..., description="Số liệu của đơn vị như in trong báo cáo")


class CompiledTarget(_Part):
    """One target's commune-level figure in a summary report (rounds.compile.compute_figures)."""

    code: str = Field(..., description="Mã chỉ tiêu")
    text: str = ""
    area: Optional[int] = Field(None, description="Số thứ tự nội dung thi đua")
    target_label: str = Field("", description="Chỉ tiêu đề ra, ví dụ «≥ 95%», «Tăng»")
    value: Value = Field(None, description="Giá trị cấp xã (số, đạt/chưa đạt, lời) hoặc null")
    value_label: str = Field("", description="Giá trị như in trong báo cáo: «96,5%», «Đạt», «Chưa có số liệu»")
    is_percent: bool = False
    met: Optional[bool] = Field(None, description="Đạt chỉ tiêu; null khi số liệu chưa đủ hoặc chưa đủ cơ sở đánh giá")
    # Partial data (a unit that should report has no approved report or no value): never judged.
    partial: bool = Field(False, description="Số liệu một phần: còn đơn vị phải báo cáo chưa có báo cáo được duyệt")
    reported: int = Field(0, description="Số đơn vị đã có số liệu (báo cáo đã duyệt)")
    expected: int = Field(0, description="Số đơn vị phải báo cáo chỉ tiêu")
    coverage_label: str = Field("", description="Ví dụ «số liệu của 1/12 xóm»")
    verdict: str = Field("", description="«Đạt», «Chưa đạt», «Chưa đủ số liệu» (số liệu một phần) hoặc «Chưa đánh giá»")
    previous_value: Value = Field(None, description="Giá trị cấp xã của kỳ trước (để đánh giá «Tăng»)")
    contributions: list[Contribution] = Field(default_factory=list)
    missing_units: list[str] = Field(default_factory=list, description="Đơn vị phải báo cáo nhưng chưa có báo cáo được duyệt")


class CompiledSource(_Part):
    """An approved unit report a compile read, at the version it read (rounds.freshness)."""

    document_id: int
    unit_code: str = ""
    unit: str = ""
    version: int


class Compiled(_Part):
    """The figures of a summary report, recomputed from the approved unit reports (derived data)."""

    computed_at: str = ""
    period: str = ""
    data_start: str = ""
    data_end: str = ""
    targets: list[CompiledTarget] = Field(default_factory=list)
    drafts: dict[str, str] = Field(default_factory=dict)
    # None: compiled before sources were recorded (treated as out of date).
    sources: Optional[list[CompiledSource]] = None
    # What the last recompile changed, for the drafter.
    changes: list[str] = Field(default_factory=list)


class Content(_Part):
    """What every kind has: the text of its sections, keyed as in SECTIONS[kind]."""

    kind: ClassVar[str]
    sections: dict[str, str] = Field(default_factory=dict)

    def dump(self):
        """The JSON stored in Document.content and DocumentVersion.content."""
        return self.model_dump(mode="json")

    def section(self, key):
        return self.sections.get(key) or ""

    def with_sections(self, sections):
        """A copy with the given sections replaced (the others kept); Invalid names each bad section."""
        if not isinstance(sections, dict):
            raise Invalid("Dữ liệu không hợp lệ.", {"sections": ["Phải là một đối tượng {mục: nội dung}."]})
        allowed = section_keys(self.kind)
        errors = {}
        cleaned = {}
        for key, value in sections.items():
            if key not in allowed:
                errors[f"sections.{key}"] = [f"Không có mục này. Các mục hợp lệ: {', '.join(allowed)}."]
                continue
            try:
                cleaned[key] = clean_text(value, f"sections.{key}", MAX_SECTION)
            except Invalid as exc:
                errors.update(exc.errors)
        if errors:
            raise Invalid("Nội dung các mục không hợp lệ.", errors)
        return self.model_copy(update={"sections": {**self.sections, **cleaned}})

    def with_values(self, targets_by_code, values):
        raise Invalid("Chỉ báo cáo của đơn vị mới nhập số liệu chỉ tiêu.", {"values": ["Không áp dụng cho loại văn bản này."]})

    def with_initiatives(self, initiatives):
        raise Invalid(
            "Chỉ báo cáo của đơn vị mới kê khai mô hình.", {"initiatives": ["Không áp dụng cho loại văn bản này."]}
        )

    def missing_for_submit(self, targets):
        """What must still be filled in before submitting: {field: [message]}."""
        missing = {}
        for key, _heading, required in SECTIONS[self.kind]:
            if required and not self.section(key).strip():
                missing[f"sections.{key}"] = [f"Chưa viết mục «{SECTION_LABELS[key]}»."]
        return missing


class PlanContent(Content):
    kind: ClassVar[str] = "plan"


class UnitReportContent(Content):
    kind: ClassVar[str] = "unit_report"
    values: dict[str, TargetEntry] = Field(default_factory=dict)
    initiatives: list[Initiative] = Field(
        default_factory=list, max_length=MAX_INITIATIVES, description="Các mô hình đã xây dựng trong kỳ"
    )
    previous: Optional[PreviousValues] = None

    @field_validator("previous", mode="before")
    @classmethod
    def _no_previous(cls, value):
        # A unit's first report has no previous values: stored as null (older rows: {}).
        return value or None

    def entry(self, code):
        return self.values.get(code) or TargetEntry()

    def value_of(self, code):
        return self.entry(code).value

    def previous_value(self, code):
        return self.previous.values.get(code) if self.previous else None

    def has_previous(self, code):
        return bool(self.previous) and code in self.previous.values

    def with_values(self, targets_by_code, values):
        """A copy with the given targets' entries replaced. `values` is a list of
        {"code", "value", "note", "evidence"} (API form) or a dict keyed by code."""
        if isinstance(values, dict):
            values = [{"code": code, **(item if isinstance(item, dict) else {"value": item})} for code, item in values.items()]
        if not isinstance(values, list):
            raise Invalid("Dữ liệu không hợp lệ.", {"values": ["Phải là danh sách các chỉ tiêu."]})
        errors = {}
        cleaned = {}
        for index, item in enumerate(values):
            if not isinstance(item, dict) or not isinstance(item.get("code"), str):
                errors[f"values[{index}]"] = ["Mỗi phần tử cần có «code» là mã chỉ tiêu."]
                continue
            code = item["code"].strip()
            target = targets_by_code.get(code)
            if target is None:
                errors[f"values.{code}"] = ["Đơn vị không báo cáo chỉ tiêu này."]
                continue
            try:
                value = _parse_value(target, item.get("value"))
            except ValueError as exc:
                errors[f"values.{code}"] = [str(exc)]
                continue
            except Invalid as exc:
                errors[f"values.{code}"] = [exc.errors["value"][0]]
                continue
            try:
                note = clean_text(item.get("note") or "", f"values.{code}.note", limit(TargetEntry, "note"))
                evidence = clean_text(item.get("evidence") or "", f"values.{code}.evidence", limit(TargetEntry, "evidence"))
            except Invalid as exc:
                errors.update(exc.errors)
                continue
            cleaned[code] = TargetEntry(value=value, note=note, evidence=evidence)
        if errors:
            raise Invalid("Số liệu chỉ tiêu không hợp lệ.", errors)
        return self.model_copy(update={"values": {**self.values, **cleaned}})

    def with_initiatives(self, initiatives):
        """A copy whose list of initiatives is `initiatives` (each {"name", "kind", "note"})."""
        if not isinstance(initiatives, list):
            raise Invalid("Dữ liệu không hợp lệ.", {"initiatives": ["Phải là danh sách mô hình."]})
        most = limit(UnitReportContent, "initiatives")
        if len(initiatives) > most:
            raise Invalid("Dữ liệu không hợp lệ.", {"initiatives": [f"Tối đa {most} mô hình."]})
        errors = {}
        cleaned = []
        for index, item in enumerate(initiatives):
            field = f"initiatives[{index}]"
            if not isinstance(item, dict):
                errors[field] = ["Mỗi mô hình là một đối tượng có «name» và «kind»."]
                continue
            try:
                name = clean_text(item.get("name"), f"{field}.name", limit(Initiative, "name"), multiline=False)
                kind = clean_text(item.get("kind") or "Khác", f"{field}.kind", limit(Initiative, "kind"), multiline=False)
                note = clean_text(item.get("note") or "", f"{field}.note", limit(Initiative, "note"))
            except Invalid as exc:
                errors.update(exc.errors)
                continue
            if not name:
                errors[f"{field}.name"] = ["Nhập tên mô hình."]
                continue
            cleaned.append(Initiative(name=name, kind=kind or "Khác", note=note))
        if errors:
            raise Invalid("Danh sách mô hình không hợp lệ.", errors)
        return self.model_copy(update={"initiatives": cleaned})

    def missing_for_submit(self, targets):
        missing = super().missing_for_submit(targets)
        for target in targets:
            if self.value_of(target.code) is None:
                missing[f"values.{target.code}"] = [f"Chưa nhập kết quả chỉ tiêu {target.code}."]
        return missing


class SummaryReportContent(Content):
    kind: ClassVar[str] = "summary_report"
    compiled: Optional[Compiled] = None

    @field_validator("compiled", mode="before")
    @classmethod
    def _not_compiled(cls, value):
        return value or None

    @property
    def compiled_targets(self):
        return self.compiled.targets if self.compiled else []


CONTENT_MODELS = {model.kind: model for model in (PlanContent, UnitReportContent, SummaryReportContent)}



def load(kind, data):
    """The typed content of a kind from the stored JSON (None or {} gives the empty content)."""
    return CONTENT_MODELS[kind].model_validate(data or {})


def empty(kind):
    return CONTENT_MODELS[kind]()
