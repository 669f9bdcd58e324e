"""API of reporting rounds: open a round, compile the summary report, evaluate a year, exports.

Lives in the api app (rounds knows nothing of the API) and is mounted by api.api on the NinjaAPI that authenticates (request.auth is the user) and turns
workflows.errors into JSON errors; the views here only resolve inputs and call the services.
"""
import io
from datetime import date, datetime
from typing import Optional

from django.http import FileResponse
from ninja import Field, Path, Query, Router, Schema

from plans.formatting import date_vn, datetime_vn
from workflows.content import CompiledTarget
from workflows.errors import NotFound
from workflows.models import Document

from rounds import exports, selectors
from rounds.compile import compile_summary
from rounds.evaluation import EvaluationRow
from rounds.freshness import freshness
from rounds.formatting import data_window_sentence
from rounds.services import open_round

from .pagination import PageIn, PageOut, paginate
from .schemas import ErrorOut, FreshnessOut

router = Router(tags=["Kỳ báo cáo"])

CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$"
MAX_ID = 2**63 - 1
READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {**READ_ERRORS, 409: ErrorOut}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- schemas ----------------------------------------------------------------------------

class DraftOut(Schema):
    id: int
    unit_code: str
    unit: str = Field(..., description="Tên đơn vị")
    title: str
    state: str


class OpenRoundOut(Schema):
    period: str = Field(..., description="Mã kỳ, ví dụ 2026-H1")
    period_name: str
    data_start: date
    data_end: date
    deadline: date
    deadline_display: str = Field(..., description="Hạn nộp dạng dd/mm/yyyy")
    data_window: str = Field(..., description="Câu ghi thời gian chốt số liệu (Nghị định 09/2019) in trong báo cáo")
    opened_at: datetime
    created_count: int = Field(..., description="Số dự thảo mới tạo trong lần gọi này (0 nếu kỳ đã mở)")
    existing_count: int = Field(..., description="Số báo cáo đơn vị đã có từ trước")
    created: list[DraftOut]


class CompiledOut(Schema):
    document_id: int
    version: int
    state: str
    period: str
    data_window: str
    computed_at: str
    computed_at_display: str = Field("", description="Thời điểm tổng hợp theo giờ địa phương, dd/mm/yyyy hh:mm")
    out_of_date: Optional[FreshnessOut] = Field(None, description="Số liệu còn khớp với các báo cáo đơn vị đã duyệt hay không")
    changes: list[str] = Field([], description="Những gì lần tổng hợp gần nhất đã thay đổi (số liệu, các mục đã giữ nguyên do người soạn thảo sửa)")
    targets: list[CompiledTarget] = Field(..., description="Số liệu từng chỉ tiêu, theo mô hình nội dung báo cáo tổng hợp")


class StatusRowOut(Schema):
    unit_code: str
    unit: str
    document_id: Optional[int]
    state: Optional[str]
    state_label: str
    submitted_on: Optional[date] = Field(None, description="Ngày nộp được tính hạn: lần trình đầu tiên mà đơn vị không tự rút lại")
    last_submitted_on: Optional[date] = Field(None, description="Ngày trình gần nhất")
    on_time: bool = Field(..., description="Nộp đúng hạn (theo ngày nộp được tính hạn)")
    submitted_late: bool = Field(..., description="Đã nộp nhưng sau hạn")
    overdue: bool = Field(..., description="Quá hạn mà đơn vị chưa nộp (hoặc chưa nộp lại sau khi bị trả lại)")
    returns: int


class RoundStatusOut(PageOut):
    """One page of the units (`units`; `total`, `page`, `limit`, `pages` as in every collection)."""

    period: str
    period_name: str
    deadline: date
    data_window: str
    opened: bool
    units: list[StatusRowOut]


class WeightsOut(Schema):
    targets: float = Field(..., description="Điểm tối đa cho tỷ lệ chỉ tiêu đạt")
    on_time: float = Field(..., description="Điểm tối đa cho tỷ lệ báo cáo đúng hạn")
    per_return: float = Field(..., description="Điểm trừ mỗi lần bị trả lại")
    per_initiative: float = Field(..., description="Điểm mỗi mô hình")
    max_initiatives: float = Field(..., description="Điểm mô hình tối đa")


class EvaluationOut(PageOut):
    """One page of the ranked units (`rows`; `total`, `page`, `limit`, `pages` as in every collection)."""

    plan: str
    year: int
    weights: WeightsOut
    rows: list[EvaluationRow] = Field(..., description="Mọi đơn vị phải báo cáo, kể cả đơn vị chưa báo cáo (xếp cuối)")


# --- helpers ----------------------------------------------------------------------------

def _file(filename, content):
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=XLSX)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_doc(description):
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _compiled_out(document):
    compiled = document.typed_content.compiled
    return {
        "document_id": document.pk,
        "version": document.version,
        "state": document.state,
        "period": document.period.code,
        "data_window": data_window_sentence(document.period),
        "computed_at": compiled.computed_at if compiled else "",
        "computed_at_display": datetime_vn(compiled.computed_at) if compiled else "",
        "out_of_date": freshness(document),
        "changes": compiled.changes if compiled else [],
        "targets": compiled.targets if compiled else [],
    }


def _compiled_targets(document):
    """The compiled figures of a summary report; none for other kinds."""
    return document.typed_content.compiled_targets if document.kind == "summary_report" else []


def _visible_summary(user, document_id):
    document = Document.objects.select_related("period", "plan", "commune", "unit").filter(pk=document_id).first()
    if document is None or not user.has_perm("workflows.view_document", document):
        raise NotFound("Không tìm thấy văn bản.")
    return document


# --- endpoints --------------------------------------------------------------------------

@router.post("/periods/{code}/open", response={200: OpenRoundOut, **WRITE_ERRORS}, summary="Mở kỳ báo cáo")
def open_period(request, code: str = Path(..., pattern=CODE), plan: Optional[str] = Query(None, pattern=CODE)):
    """Cán bộ Phòng Văn hóa – Xã hội (cơ quan thường trực) mở kỳ: tạo dự thảo báo cáo cho mọi đơn vị
    có chỉ tiêu phải báo cáo, điền sẵn danh sách chỉ tiêu và số liệu kỳ trước để tham khảo. Gọi lại
    không tạo thêm gì (`created` rỗng)."""
    period = selectors.period_by_code(request.auth, code, plan)
    result = open_round(period, request.auth)
    period = result.period
    return {
        "period": period.code,
        "period_name": period.name,
        "data_start": period.data_start,
        "data_end": period.data_end,
        "deadline": period.deadline,
        "deadline_display": date_vn(period.deadline),
        "data_window": result.data_window,
        "opened_at": period.opened_at,
        "created_count": len(result.created),
        "existing_count": result.existing,
        "created": [
            {"id": d.pk, "unit_code": d.unit.code, "unit": d.unit.name, "title": d.title, "state": d.state} for d in result.created
        ],
    }


@router.get("/periods/{code}/status", response={200: RoundStatusOut, **READ_ERRORS}, summary="Tình hình nộp báo cáo của kỳ")
def period_status(
    request, code: str = Path(..., pattern=CODE), plan: Optional[str] = Query(None, pattern=CODE), pager: PageIn = Query(...)
):
    """Mỗi đơn vị phải báo cáo: trạng thái, ngày trình, đúng hạn, quá hạn, số lần bị trả lại; theo thứ tự
    đơn vị, theo trang (`page`, `limit`)."""
    period = selectors.period_by_code(request.auth, code, plan)
    selectors.require_round_reader(request.auth, period.plan.commune_id)
    page = paginate(selectors.round_status(period), pager, _status_row)
    units = page.pop("items")
    return {
        **page,
        "units": units,
        "period": period.code,
        "period_name": period.name,
        "deadline": period.deadline,
        "data_window": data_window_sentence(period),
        "opened": period.opened_at is not None,
    }


def _status_row(row):
    return {
        "unit_code": row.unit.code,
        "unit": row.unit.name,
        "document_id": row.document.pk if row.document else None,
        "state": row.state,
        "state_label": row.state_label,
        "submitted_on": row.submitted_on,
        "last_submitted_on": row.last_submitted_on,
        "on_time": row.on_time,
        "submitted_late": row.submitted_late,
        "overdue": row.overdue,
        "returns": row.returns,
    }


@router.get(
    "/periods/{code}/status/xlsx",
    response={**READ_ERRORS},
    summary="Tải bảng tình hình nộp báo cáo (Excel)",
    openapi_extra=_xlsx_doc("Bảng tình hình nộp báo cáo của các đơn vị"),
)
def period_status_xlsx(request, code: str = Path(..., pattern=CODE), plan: Optional[str] = Query(None, pattern=CODE)):
    period = selectors.period_by_code(request.auth, code, plan)
    selectors.require_round_reader(request.auth, period.plan.commune_id)
    return _file(f"tinh-hinh-bao-cao-{period.code}.xlsx", exports.round_status_xlsx(period))


@router.post("/documents/{id}/compile", response={200: CompiledOut, **WRITE_ERRORS}, summary="Tổng hợp lại số liệu báo cáo tổng hợp")
def compile_document(
    request,
    id: int = Path(..., ge=1, le=MAX_ID),
    version: Optional[int] = Query(None, ge=1, le=2**31 - 1, description="Phiên bản đang xem; khác phiên bản hiện tại thì trả 409"),
    replace_sections: bool = Query(False, description="Thay các mục bằng bản thảo tổng hợp (mặc định chỉ điền mục còn trống)"),
):
    """Tính lại giá trị cấp xã của từng chỉ tiêu từ các báo cáo đơn vị **đã duyệt** của kỳ; chỉ làm được
    khi báo cáo tổng hợp đang dự thảo hoặc bị trả lại (sau khi ký thì trả 409)."""
    document = _visible_summary(request.auth, id)
    document = compile_summary(document, request.auth, version=version, replace_sections=replace_sections)
    return _compiled_out(document)


@router.get("/documents/{id}/compiled", response={200: CompiledOut, **READ_ERRORS}, summary="Xem số liệu tổng hợp")
def compiled(request, id: int = Path(..., ge=1, le=MAX_ID)):
    document = _visible_summary(request.auth, id)
    if not _compiled_targets(document):
        raise NotFound("Văn bản chưa có số liệu tổng hợp.")
    return _compiled_out(document)


@router.get(
    "/documents/{id}/compiled/xlsx",
    response={**READ_ERRORS},
    summary="Tải số liệu tổng hợp (Excel)",
    openapi_extra=_xlsx_doc("Số liệu tổng hợp theo chỉ tiêu"),
)
def compiled_xlsx(request, id: int = Path(..., ge=1, le=MAX_ID)):
    document = _visible_summary(request.auth, id)
    if not _compiled_targets(document):
        raise NotFound("Văn bản chưa có số liệu tổng hợp.")
    return _file(f"so-lieu-tong-hop-{document.period.code if document.period_id else document.pk}.xlsx", exports.compiled_xlsx(document))


def _evaluation(request, year, plan_code):
    plan = selectors.plan_for_year(request.auth, year, plan_code)
    selectors.require_round_reader(request.auth, plan.commune_id)
    return selectors.evaluation(plan, year)


@router.get("/evaluations/{year}", response={200: EvaluationOut, **READ_ERRORS}, summary="Bảng đánh giá thi đua cuối năm")
def evaluation(
    request, year: int = Path(..., ge=2000, le=2100), plan: Optional[str] = Query(None, pattern=CODE), pager: PageIn = Query(...)
):
    """Điểm và xếp hạng mọi đơn vị phải báo cáo trong năm, kèm căn cứ chấm điểm; đơn vị chưa trình báo
    cáo nào xếp cuối với lý do «Chưa báo cáo». Trọng số cấu hình trong trang quản trị. Theo trang
    (`page`, `limit`), theo thứ hạng."""
    result = _evaluation(request, year, plan)
    page = paginate(result.rows, pager)
    rows = page.pop("items")
    return {**page, "rows": rows, "plan": result.plan.code, "year": year, "weights": vars(result.weights)}


@router.get(
    "/evaluations/{year}/xlsx",
    response={**READ_ERRORS},
    summary="Tải bảng đánh giá thi đua (Excel)",
    openapi_extra=_xlsx_doc("Bảng xếp hạng thi đua kèm căn cứ chấm điểm"),
)
def evaluation_xlsx(request, year: int = Path(..., ge=2000, le=2100), plan: Optional[str] = Query(None, pattern=CODE)):
    result = _evaluation(request, year, plan)
    return _file(f"danh-gia-thi-dua-{year}.xlsx", exports.evaluation_xlsx(result.plan, year, result.rows))
