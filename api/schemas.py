"""Request and response shapes of API v1. The OpenAPI document is generated from these.

Request fields are bounded (lengths, ranges, patterns) so that anything the database or the
services could not take is refused with 400 before it reaches them. Text is cleaned (Unicode
NFC, control characters removed) by the services in workflows.content, which enforce the exact
limits after normalisation; the schema limits are looser so that decomposed (NFD) Vietnamese
text that fits once composed is not refused.
"""
from datetime import date, datetime
from typing import Any, Literal, Optional, Union

from ninja import Field, Schema
from pydantic import ConfigDict, StrictBool

from workflows.content import MAX_COMMENT, MAX_EVIDENCE, MAX_NOTE, MAX_TITLE, MODEL_KINDS, SECTIONS

# Largest id a BigAutoField (and SQLite INTEGER) can hold.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"

KindName = Literal["plan", "unit_report", "summary_report"]
StateName = Literal["draft", "submitted", "under_review", "returned", "approved", "signed", "issued"]
TransitionName = Literal["submit", "withdraw", "start_review", "return", "approve", "sign", "send_back", "issue"]
# A target value: percent (number), count (integer), achieved (true/false) or a short text.
TargetValue = Optional[Union[StrictBool, int, float, str]]


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    detail: str = Field(..., description="Thông báo lỗi bằng tiếng Việt")
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Lỗi theo từng trường: {tên trường: [thông báo]}")


class PendingOut(Schema):
    detail: str = Field(..., description="Việc đang làm, bằng tiếng Việt (ví dụ «Đang tạo bản PDF…»)")


# --- auth -----------------------------------------------------------------------------------
class TokenIn(Strict):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1, max_length=4096)


class TokenOut(Schema):
    token: str = Field(..., description="Gửi kèm mỗi yêu cầu: Authorization: Bearer <token>. Chỉ hiển thị một lần.")


# --- people, units, plan data -------------------------------------------------------------
class UnitOut(Schema):
    code: str
    name: str
    abbreviation: str
    kind: str
    function: str


class MeOut(Schema):
    username: str
    full_name: str
    position: str
    email: str
    unit: Optional[UnitOut]
    commune: Optional[str] = Field(None, description="Tên cơ quan ban hành (UBND xã)")
    roles: list[str] = Field(..., description="drafter, reviewer, signer, clerk, admin")
    role_labels: list[str]
    is_admin: bool


class PeriodOut(Schema):
    code: str
    kind: str
    year: int
    name: str
    plan: str = Field(..., description="Mã kế hoạch")
    data_start: date
    data_end: date
    deadline: date
    is_open: bool
    opened_at: Optional[datetime]


class TargetOut(Schema):
    code: str
    text: str
    area: int = Field(..., description="Số thứ tự nội dung thi đua")
    input_kind: str = Field(..., description="percent, count, boolean hoặc text")
    comparison: str
    target_value: Optional[float]
    measure_unit: str
    aggregation: str
    reporting_units: list[str] = Field(..., description="Mã các đơn vị báo cáo chỉ tiêu này")


# --- documents -----------------------------------------------------------------------------
class DocumentCreateIn(Strict):
    kind: KindName
    period: Optional[str] = Field(None, pattern=CODE_PATTERN, description="Mã kỳ báo cáo, ví dụ 2026-H1 (bắt buộc với báo cáo)")
    plan: Optional[str] = Field(None, pattern=CODE_PATTERN, description="Mã kế hoạch; bỏ trống nếu cơ quan chỉ có một kế hoạch")


class ValueIn(Strict):
    code: str = Field(..., min_length=1, max_length=10)
    value: TargetValue = None
    note: Optional[str] = Field(None, max_length=4000, description=f"Ghi chú, tối đa {MAX_NOTE} ký tự sau chuẩn hóa NFC")
    evidence: Optional[str] = Field(None, max_length=1000, description=f"Minh chứng, tối đa {MAX_EVIDENCE} ký tự sau chuẩn hóa NFC")


class ModelIn(Strict):
    name: str = Field(..., min_length=1, max_length=400)
    kind: Optional[str] = Field(None, max_length=200, description="Loại mô hình: " + ", ".join(MODEL_KINDS))
    note: Optional[str] = Field(None, max_length=4000)


class DocumentPatchIn(Strict):
    version: int = Field(..., ge=1, le=MAX_VERSION, description="Phiên bản đang sửa; sai lệch thì trả 409")
    title: Optional[str] = Field(None, max_length=1000, description=f"Trích yếu, tối đa {MAX_TITLE} ký tự sau chuẩn hóa NFC")
    sections: Optional[dict[str, str]] = Field(
        None,
        description="{mã mục: nội dung}; chỉ các mục gửi lên được thay. Mã mục theo loại văn bản: "
        + "; ".join(f"{kind}: {', '.join(key for key, _, _ in items)}" for kind, items in SECTIONS.items()),
    )
    values: Optional[list[ValueIn]] = Field(None, max_length=200)
    models: Optional[list[ModelIn]] = Field(None, max_length=100)


class TransitionIn(Strict):
    comment: str = Field(
        "", max_length=10000, description=f"Ý kiến, tối đa {MAX_COMMENT} ký tự sau chuẩn hóa NFC; bắt buộc khi trả lại (return, send_back)"
    )
    expected_state: Optional[StateName] = Field(
        None, description="Trạng thái người gọi đang thấy; nếu văn bản đã đổi trạng thái thì trả 409 thay vì xử lý nhầm"
    )


class ValueOut(Schema):
    code: str
    value: TargetValue
    note: str
    evidence: str


class ModelOut(Schema):
    name: str
    kind: str
    note: str


class DocumentSummaryOut(Schema):
    id: int
    kind: KindName
    unit: str = Field(..., description="Mã đơn vị soạn thảo")
    unit_name: str
    period: Optional[str]
    state: StateName
    state_label: str
    version: int
    title: str
    number: Optional[str] = Field(None, description="Số, ký hiệu, ví dụ 07/BC-UBND (khi đã ban hành)")
    issued_on: Optional[date] = Field(None, description="Ngày ban hành, dạng ISO YYYY-MM-DD")
    overdue: bool = Field(..., description="Báo cáo chưa trình khi đã quá hạn")
    return_count: int
    updated_at: datetime


class DocumentOut(DocumentSummaryOut):
    period_name: Optional[str]
    deadline: Optional[date]
    plan: str
    sections: dict[str, str]
    values: list[ValueOut]
    models: list[ModelOut]
    compiled: Optional[dict[str, Any]] = Field(None, description="Số liệu tổng hợp (báo cáo tổng hợp)")
    allowed_transitions: list[TransitionName] = Field(..., description="Thao tác người gọi được thực hiện ngay lúc này")
    editable: bool = Field(..., description="Người gọi có thể sửa nội dung ngay lúc này")
    issued_on_display: Optional[str] = Field(None, description="Ngày ban hành dạng dd/mm/yyyy")
    reviewer: Optional[str]
    signer: Optional[str]
    submitted_at: Optional[datetime]
    sha256: Optional[str] = Field(None, description="SHA-256 của tệp Word đã ban hành")


class AuditEntryOut(Schema):
    transition: str
    label: str
    source: StateName
    target: StateName
    actor: str = Field(..., description="Tên đăng nhập")
    actor_name: str
    at: datetime
    comment: str
    version: int


class VersionOut(Schema):
    number: int
    title: str
    sections: dict[str, str]
    values: list[ValueOut]
    models: list[ModelOut]
    created_at: datetime
    created_by: Optional[str]


class TitleChange(Schema):
    old: str
    new: str


class LineChange(Schema):
    op: Literal["equal", "replace", "insert", "delete"]
    old: str
    new: str


class SectionChange(Schema):
    key: str
    label: str
    changes: list[LineChange]


class ValueChange(Schema):
    code: str
    target: str
    old: TargetValue
    new: TargetValue
    old_text: str
    new_text: str
    old_note: str
    new_note: str
    old_evidence: str
    new_evidence: str


class ModelChanges(Schema):
    added: list[ModelOut]
    removed: list[ModelOut]


class DiffOut(Schema):
    from_: int = Field(..., alias="from")
    to: int
    title: Optional[TitleChange]
    sections: list[SectionChange]
    values: list[ValueChange]
    models: ModelChanges
    has_changes: bool

    model_config = ConfigDict(populate_by_name=True)


class RegisterEntryOut(Schema):
    number: int
    symbol: str = Field(..., description="Số, ký hiệu, ví dụ 07/BC-UBND")
    type: str = Field(..., description="Loại văn bản theo Phụ lục III (KH, BC)")
    issued_on: date
    issued_on_display: str = Field(..., description="dd/mm/yyyy")
    excerpt: str = Field(..., description="Trích yếu")
    signer: str
    recipients: list[str]
    document_id: int
