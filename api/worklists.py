"""/worklists: the person's four lists (Chờ xử lý, Đã xử lý, Đã trình / đã gửi, Theo dõi), the same
selectors as the home page's tabs (workflows.worklists), paginated."""
from datetime import datetime
from typing import Literal, Optional

from ninja import Field, Path, Query, Router, Schema

from workflows import worklists
from workflows.errors import Forbidden

from . import presenters
from .documents import READ_ERRORS
from .pagination import MAX_LIMIT, PageIn, PageOut, paginate
from .schemas import CODE_PATTERN, ErrorOut, PERIOD_PATTERN, DocumentSummaryOut, KindName

router = Router(tags=["Việc của tôi"])

TabName = Literal["cho-xu-ly", "da-xu-ly", "da-trinh", "theo-doi"]
MonitoredState = Literal["draft", "submitted", "under_review", "returned", "approved", "signed", "overdue"]


class WorklistPageIn(PageIn):
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description=f"Số văn bản mỗi trang, tối đa {MAX_LIMIT}")


class TabOut(Schema):
    tab: TabName
    label: str = Field(..., description="Tên thẻ trên trang Việc cần xử lý")
    count: int


class WorklistItemOut(DocumentSummaryOut):
    holder: str = Field(..., description="Văn bản đang ở đâu, ai đang giữ (ví dụ «Chờ Văn phòng HĐND-UBND nhận thẩm định»)")
    deadline: Optional[str] = Field(None, description="Hạn nộp của kỳ báo cáo, YYYY-MM-DD")
    my_transition: Optional[str] = Field(None, description="Bước gần nhất người gọi đã làm (da-xu-ly, da-trinh)")
    my_at: Optional[datetime] = Field(None, description="Lúc làm bước đó")


class WorklistOut(PageOut):
    tab: TabName
    label: str
    items: list[WorklistItemOut]


@router.get("/worklists", response={200: list[TabOut], **READ_ERRORS}, summary="Các danh sách việc của tôi và số văn bản")
def tabs(request):
    """Các thẻ của người gọi với số văn bản mỗi thẻ; thẻ «theo-doi» chỉ có với cán bộ thẩm định, lãnh đạo,
    quản trị viên và cán bộ của cơ quan thường trực."""
    user = request.auth
    counts = worklists.counts(user)
    return [{"tab": key, "label": worklists.TABS[key], "count": counts[key]} for key in worklists.tabs_for(user)]


@router.get(
    "/worklists/{tab}",
    response={200: WorklistOut, 403: ErrorOut, **READ_ERRORS},
    summary="Một danh sách việc của tôi",
)
def worklist(
    request,
    tab: TabName = Path(..., description="cho-xu-ly, da-xu-ly, da-trinh hoặc theo-doi"),
    pager: WorklistPageIn = Query(...),
    kind: Optional[KindName] = Query(None, description="Chỉ thẻ theo-doi: loại văn bản"),
    state: Optional[MonitoredState] = Query(None, description="Chỉ thẻ theo-doi: trạng thái, hoặc overdue (quá hạn chưa nộp)"),
    unit: Optional[str] = Query(None, pattern=CODE_PATTERN, description="Chỉ thẻ theo-doi: mã đơn vị"),
    period: Optional[str] = Query(None, pattern=PERIOD_PATTERN, description="Chỉ thẻ theo-doi: mã kỳ báo cáo"),
):
    """Văn bản của một thẻ, như trên trang Việc cần xử lý: `cho-xu-ly` chờ người gọi xử lý; `da-xu-ly`
    người gọi đã nhận thẩm định, trả lại, duyệt, ký hoặc cấp số (bước gần nhất trước); `da-trinh` người
    gọi đã trình, kèm nơi văn bản đang ở (`holder`); `theo-doi` mọi văn bản đang xử lý người gọi được xem
    (quá hạn trước), lọc theo loại, trạng thái, đơn vị, kỳ. Trang vượt quá số trang trả danh sách rỗng."""
    user = request.auth
    if tab not in worklists.tabs_for(user):
        raise Forbidden("Thẻ «Theo dõi» dành cho cơ quan thường trực, cán bộ thẩm định, lãnh đạo UBND và quản trị viên.")
    filters = worklists.MonitoringFilters.clean(kind=kind or "", state=state or "", unit=unit or "", period=period or "")
    rows = worklists.tab_list(user, tab, filters)
    page = paginate(rows, pager, _item, page_rows=worklists.describe)
    return {"tab": tab, "label": worklists.TABS[tab], **page}


def _item(document):
    return {
        **presenters.document_summary(document),
        "holder": document.holder,
        "deadline": document.period.deadline.isoformat() if document.period_id else None,
        "my_transition": getattr(document, "my_transition", None),
        "my_at": getattr(document, "my_at", None),
    }
