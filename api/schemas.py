"""Request and response shapes of API v1. The OpenAPI document is generated from these.

Request fields are bounded (lengths, ranges, patterns, closed sets of keys) exactly as the server
is, so that a client reading the OpenAPI document knows every limit it will meet. Text lengths are
counted after Unicode NFC composition, as the services in workflows.content count them: decomposed
(NFD) Vietnamese text that fits once composed is accepted. The services then clean the text
(lone surrogates refused, control and invisible characters removed) and check the limits again.
"""
import unicodedata

from datetime import date, datetime
from typing import Annotated, Literal, Optional

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, create_model

from workflows.content import (
    MAX_COMMENT,
    MAX_SECTION,
    MAX_TITLE,
    SECTION_LABELS,
    SECTIONS,
    Compiled,
    Initiative,
    PreviousValues,
    TargetEntry,
    UnitReportContent,
    Value,
    limit,
)

# Largest id a BigAutoField (and SQLite INTEGER) can hold.
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
# Period codes as plans.periods makes them: 2026-H1, 2026-Y, 2027-SK (sơ kết), 2030-TK (tổng kết).
PERIOD_PATTERN = r"^[0-9]{4}-(H1|Y|SK|TK)$"

KindName = Literal["plan", "unit_report", "summary_report"]
StateName = Literal["draft", "submitted", "under_review", "returned", "approved", "signed", "issued"]
TransitionName = Literal["submit", "withdraw", "start_review", "return", "approve", "sign", "send_back", "issue"]
# A target value: percent (number), count (integer), achieved (true/false) or a short text.
TargetValue = Value


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


def _nfc(value):
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def Text(max_length=None, **kwargs):
    """A string whose length limit is counted after NFC composition, like the server's."""
    return Annotated[str, Field(max_length=max_length, **kwargs), BeforeValidator(_nfc)]


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
    id: int = Field(..., description="Số hiệu của khóa, để thu hồi tại DELETE /api/v1/auth/tokens/{id}")
    expires_at: datetime = Field(..., description="Khóa hết hiệu lực từ thời điểm này (ISO 8601)")


class TokenInfoOut(Schema):
    id: int
    created_at: datetime = Field(..., description="Tạo lúc")
    last_used_at: Optional[datetime] = Field(None, description="Dùng lần cuối (chính xác đến 5 phút); null nếu chưa dùng")
    expires_at: datetime = Field(..., description="Hết hạn lúc")
    current: bool = Field(..., description="true nếu đây là khóa đang dùng cho chính yêu cầu này")


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
    period: Optional[str] = Field(
        None, pattern=PERIOD_PATTERN, examples=["2026-H1"], description="Mã kỳ báo cáo, ví dụ 2026-H1, 2026-Y (bắt buộc với báo cáo)"
    )
    plan: Optional[str] = Field(None, pattern=CODE_PATTERN, description="Mã kế hoạch; bỏ trống nếu cơ quan chỉ có một kế hoạch")


def _input_field(info, *, required=False):
    """A request field from a content-model field: the same limits and description; text limits
    counted after NFC; optional unless `required` (the service fills in the model's default)."""
    if info.annotation is str:
        lengths = {type(m).__name__: m for m in info.metadata}
        bounds = {}
        if "MaxLen" in lengths:
            bounds["max_length"] = lengths["MaxLen"].max_length
        if "MinLen" in lengths:
            bounds["min_length"] = lengths["MinLen"].min_length
        annotation = Text(**bounds)
    else:
        annotation = info.annotation
    if required:
        return annotation, Field(..., description=info.description)
    return Optional[annotation], Field(None, description=info.description)


def input_schema(model, name, doc, *, required=(), **extra):
    """The strict request shape of a content model: every field of `model`, unknown keys refused."""
    fields = {key: _input_field(info, required=key in required) for key, info in model.model_fields.items()}
    return create_model(name, __base__=Strict, __module__=__name__, __doc__=doc, **extra, **fields)


ValueIn = input_schema(
    TargetEntry, "ValueIn", "Kết quả một chỉ tiêu.", code=(str, Field(..., min_length=1, max_length=10, description="Mã chỉ tiêu"))
)
InitiativeIn = input_schema(Initiative, "InitiativeIn", "Một mô hình đã xây dựng trong kỳ.", required=("name",))


# Every section key of every kind of document; a key of another kind is refused by the service.
SECTION_KEYS = list(dict.fromkeys(key for items in SECTIONS.values() for key, _, _ in items))
SectionsIn = type(
    "SectionsIn",
    (Strict,),
    {
        "__annotations__": {key: Text(MAX_SECTION) for key in SECTION_KEYS},
        # Not Optional: null is not a text. Only the keys sent are replaced (exclude_unset).
        **{key: Field(None, description=f"{SECTION_LABELS[key]}, tối đa {MAX_SECTION} ký tự") for key in SECTION_KEYS},
        "__module__": __name__,
        "__doc__": "Nội dung các mục: chỉ các mục của loại văn bản đang sửa.",
    },
)


class DocumentPatchIn(Strict):
    version: int = Field(..., ge=1, le=MAX_VERSION, description="Phiên bản đang sửa; sai lệch thì trả 409")
    title: Optional[Text(MAX_TITLE)] = Field(None, description=f"Trích yếu, tối đa {MAX_TITLE} ký tự sau chuẩn hóa NFC")
    sections: Optional[SectionsIn] = Field(
        None,
        description="{mã mục: nội dung}; chỉ các mục gửi lên được thay. Mã mục theo loại văn bản: "
        + "; ".join(f"{kind}: {', '.join(key for key, _, _ in items)}" for kind, items in SECTIONS.items()),
    )
    values: Optional[list[ValueIn]] = Field(None, max_length=200)
    initiatives: Optional[list[InitiativeIn]] = Field(
        None,
        max_length=limit(UnitReportContent, "initiatives"),
        description="Các mô hình đã xây dựng trong kỳ (chỉ báo cáo của đơn vị); thay cả danh sách",
    )


class TransitionIn(Strict):
    comment: Text(MAX_COMMENT) = Field(
        "", description=f"Ý kiến, tối đa {MAX_COMMENT} ký tự sau chuẩn hóa NFC; bắt buộc khi trả lại (return, send_back)"
    )
    expected_state: Optional[StateName] = Field(
        None, description="Trạng thái người gọi đang thấy; nếu văn bản đã đổi trạng thái thì trả 409 thay vì xử lý nhầm"
    )


# Responses carry the content models of workflows.content as they are.
class ValueOut(TargetEntry):
    """A unit's result for one target."""

    code: str = Field(..., description="Mã chỉ tiêu")
    text: str = Field(..., description="Kết quả như in trong văn bản: «96,5%», «Đạt», «Chưa đạt», «2 mô hình», «Chưa có số liệu»")


class FreshnessOut(Schema):
    out_of_date: bool = Field(..., description="true: đã có báo cáo đơn vị được duyệt hoặc thay đổi sau lần tổng hợp")
    changes: list[str] = Field(..., description="Những gì đã thay đổi, nêu tên đơn vị")


InitiativeOut = Initiative


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
    initiatives: list[InitiativeOut] = Field(..., description="Các mô hình đã xây dựng trong kỳ (báo cáo của đơn vị)")
    previous: Optional[PreviousValues] = Field(None, description="Số liệu của báo cáo kỳ trước của đơn vị (báo cáo của đơn vị)")
    compiled: Optional[Compiled] = Field(None, description="Số liệu tổng hợp (báo cáo tổng hợp)")
    compiled_at_display: Optional[str] = Field(None, description="Thời điểm tổng hợp theo giờ địa phương, dd/mm/yyyy hh:mm")
    out_of_date: Optional[FreshnessOut] = Field(
        None, description="Báo cáo tổng hợp: số liệu còn khớp với các báo cáo đơn vị đã duyệt hay không (null với văn bản khác)"
    )
    allowed_transitions: list[TransitionName] = Field(..., description="Thao tác người gọi được thực hiện ngay lúc này")
    editable: bool = Field(..., description="Người gọi có thể sửa nội dung ngay lúc này")
    issued_on_display: Optional[str] = Field(None, description="Ngày ban hành dạng dd/mm/yyyy")
    reviewer: Optional[str]
    signer: Optional[str]
    assignee: Optional[str] = Field(None, description="Chuyển xử lý: tên đăng nhập của người đang được giao bước đang chờ (chỉ người này xử lý bước đó)")
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
    recipient: Optional[str] = Field(None, description="Chuyển xử lý: tên đăng nhập của người nhận")
    recipient_unit: Optional[str] = Field(None, description="Phối hợp, đôn đốc: mã đơn vị được hỏi ý kiến hoặc được đôn đốc")


class VersionOut(Schema):
    number: int
    title: str
    sections: dict[str, str]
    values: list[ValueOut]
    initiatives: list[InitiativeOut]
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


class InitiativeChanges(Schema):
    added: list[InitiativeOut]
    removed: list[InitiativeOut]


class DiffOut(Schema):
    from_: int = Field(..., alias="from")
    to: int
    title: Optional[TitleChange]
    sections: list[SectionChange]
    values: list[ValueChange]
    initiatives: InitiativeChanges
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


# --- office handling (issue 14): chuyển xử lý, phối hợp, ý kiến chỉ đạo, đôn đốc ------------------
class HandOverIn(Strict):
    to: int = Field(..., ge=1, le=MAX_ID, description="Mã (id) người nhận: xem GET /documents/{id}/hand-over")
    note: Text(MAX_COMMENT) = Field(..., description="Nội dung chuyển xử lý (bắt buộc)")
    expected_assignee: Optional[int] = Field(
        None, ge=0, le=MAX_ID, description="Người đang xử lý mà người gọi thấy (0: chưa ai); đã khác thì trả 409"
    )


class PersonOut(Schema):
    id: int
    username: str
    name: str
    position: str


class HandOverOut(Schema):
    step: Optional[str] = Field(None, description="Vai trò của bước đang chờ: reviewer, signer, clerk; null nếu không chờ ai")
    assignee: Optional[PersonOut] = Field(None, description="Người đang được giao xử lý bước này (nếu đã chuyển xử lý)")
    assigned_at: Optional[datetime] = None
    candidates: list[PersonOut] = Field(..., description="Đồng nghiệp người gọi chuyển được cho (rỗng nếu người gọi không giữ bước)")


class StepOut(Schema):
    step: Optional[str] = Field(None, description="reviewer, signer, clerk; null khi văn bản không chờ ai ngoài người soạn thảo")
    label: Optional[str] = None
    since: Optional[date] = Field(None, description="Ngày bắt đầu chờ (YYYY-MM-DD)")
    waited_working_days: Optional[int] = None
    limit_working_days: Optional[int] = Field(None, description="Thời hạn xử lý theo loại văn bản (HANDLING_DEADLINE_DAYS)")
    due: Optional[date] = None
    overdue: bool = False


class ConsultationIn(Strict):
    unit: str = Field(..., max_length=40, description="Mã đơn vị được hỏi ý kiến, ví dụ kinhte")
    question: Text(MAX_COMMENT) = Field(..., description="Nội dung xin ý kiến")
    deadline: date = Field(..., description="Hạn trả lời, YYYY-MM-DD, không trước hôm nay")


class ConsultationOut(Schema):
    id: int
    unit: str
    unit_name: str
    question: str
    deadline: date
    requested_by: str
    requested_at: datetime
    overdue: bool = Field(..., description="Đã quá hạn mà chưa trả lời")
    answered: bool
    answer: str
    answered_by: Optional[str]
    answered_at: Optional[datetime]
    file_name: Optional[str] = Field(None, description="Tệp kèm theo câu trả lời: tải tại …/consultations/{cid}/file")


class InstructionIn(Strict):
    text: Text(MAX_COMMENT) = Field(..., description="Ý kiến chỉ đạo (bút phê)")


class UrgeOut(Schema):
    sent_now: bool = Field(..., description="true: vừa gửi; false: đã đôn đốc trước đó, không gửi lại")
    sent_at: datetime = Field(..., description="Lúc đôn đốc (lần duy nhất)")
    requested_by: Optional[str]
    detail: str
