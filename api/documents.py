"""/documents: list, create, read, edit, move through the lifecycle, history, versions, diff, files.

Views are thin: reads go through workflows.queries, writes through workflows.services, which own
the transactions and the rules. Anything the caller may not see answers 404, never 403, so the
API does not reveal which documents exist.
"""
import io
from typing import Optional

from django.http import FileResponse, HttpResponse
from ninja import Path, Query, Router
from ninja.responses import Status

from documents import pdfs
from documents.models import IssuedFile, StoredFileCorrupt
from documents.rendering import document_file
from rounds import compile as round_compile
from rounds.freshness import freshness
from workflows import queries, services
from signatures import services as signing
from workflows.diff import diff_versions, last_returned_version
from workflows.errors import NotFound
from workflows.models import DocumentVersion, Kind

from rounds import selectors

from . import presenters
from .pagination import PageIn, page_of, paginate
from .schemas import (
    CODE_PATTERN,
    MAX_ID,
    MAX_VERSION,
    PERIOD_PATTERN,
    DiffOut,
    DocumentCreateIn,
    DocumentOut,
    DocumentPatchIn,
    DocumentSummaryOut,
    AuditEntryOut,
    ErrorOut,
    PendingOut,
    KindName,
    StateName,
    TransitionIn,
    TransitionName,
    VersionOut,
)

router = Router(tags=["Văn bản"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
NOT_FOUND = "Không tìm thấy văn bản."
DocumentPageOut = page_of(DocumentSummaryOut, "DocumentPageOut")
AuditEntryPageOut = page_of(AuditEntryOut, "AuditEntryPageOut")


def visible_document(user, document_id):
    document = queries.documents_for(user).filter(pk=document_id).first()
    if document is None:
        raise NotFound(NOT_FOUND)
    return document


def detail(user, document):
    """The full document as this user sees it now."""
    targets = services.targets_for(document)
    sha256 = None
    if document.state == "issued":
        sha256 = IssuedFile.objects.filter(document_id=document.pk).values_list("sha256", flat=True).first()
    return presenters.document_detail(
        document,
        targets=targets,
        transitions=services.available_transitions(document, user),
        editable=document.is_editable and user.has_perm("workflows.change_document", document),
        sha256=sha256,
        freshness=freshness(document),
    )


@router.get("/documents", response={200: DocumentPageOut, **READ_ERRORS}, summary="Danh sách văn bản được xem")
def list_documents(
    request,
    pager: PageIn = Query(...),
    kind: Optional[KindName] = None,
    period: Optional[str] = Query(None, pattern=PERIOD_PATTERN, description="Mã kỳ báo cáo, ví dụ 2026-H1"),
    unit: Optional[str] = Query(None, pattern=CODE_PATTERN, description="Mã đơn vị, ví dụ tramyte"),
    state: Optional[StateName] = None,
    q: str = Query("", max_length=200, description="Tìm trong tiêu đề, số hiệu, đơn vị và nội dung; không phân biệt dấu"),
):
    """Một đơn vị thấy văn bản của mình; người thẩm định, lãnh đạo, văn thư và quản trị thấy mọi văn bản
    của xã mình (cán bộ cấp tỉnh được giao theo dõi thêm xã nào thì thấy thêm xã đó). Cùng danh sách với
    trang Tra cứu (workflows.queries.find_documents), mới sửa trước, theo trang (`page`, `limit`)."""
    # A summary names no reviewer, signer or assignee: their joins would only cost the planner.
    qs = queries.find_documents(request.auth, kind=kind, period=period, unit=unit, state=state, q=q, people=False)
    return paginate(qs, pager, presenters.document_summary)


@router.post("/documents", response={201: DocumentOut, **WRITE_ERRORS}, summary="Tạo văn bản (dự thảo)")
def create_document(request, payload: DocumentCreateIn):
    """Báo cáo đơn vị được tạo cho đơn vị của người gọi; kế hoạch và báo cáo tổng hợp do cán bộ
    Phòng Văn hóa – Xã hội (cơ quan thường trực) tạo. Báo cáo tổng hợp được tổng hợp số liệu ngay khi
    tạo (như trên trang web và lệnh `compile_summary`). Đã có văn bản cùng loại, cùng kỳ thì trả 409."""
    user = request.auth
    plan, period = selectors.plan_and_period(user, payload.plan, payload.period)
    # One document per plan, per unit and period: the service turns the database constraints into 409.
    if payload.kind == Kind.PLAN:
        period = None
    if payload.kind == Kind.SUMMARY_REPORT and period is not None:
        # Created compiled, by the same service as the web page and the command.
        document = round_compile.create_summary(period, user)
    else:
        document = services.create_document(user, payload.kind, plan=plan, period=period)
    return Status(201, detail(user, visible_document(user, document.pk)))


@router.get("/documents/{id}", response={200: DocumentOut, **READ_ERRORS}, summary="Xem văn bản")
def get_document(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return detail(request.auth, visible_document(request.auth, id))


@router.patch("/documents/{id}", response={200: DocumentOut, **WRITE_ERRORS}, summary="Sửa nội dung văn bản")
def update_document(request, payload: DocumentPatchIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Gửi kèm `version` đang sửa. Mỗi lần lưu tạo phiên bản mới; phiên bản đã cũ hoặc trạng thái không cho sửa thì trả 409."""
    user = request.auth
    values = None
    if payload.values is not None:
        values = [item.model_dump() for item in payload.values]
    initiatives = None
    if payload.initiatives is not None:
        initiatives = [item.model_dump() for item in payload.initiatives]
    sections = None
    if payload.sections is not None:
        sections = payload.sections.model_dump(exclude_unset=True)
    services.update_document(id, user, version=payload.version, title=payload.title, sections=sections, values=values, initiatives=initiatives)
    return detail(user, visible_document(user, id))


@router.post(
    "/documents/{id}/transitions/{name}",
    response={200: DocumentOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Chuyển bước xử lý",
)
def transition(request, name: TransitionName, payload: TransitionIn = None, id: int = Path(..., ge=1, le=MAX_ID)):
    """submit, withdraw, start_review, return, approve, sign, send_back, issue. Người không có quyền: 403
    kèm lý do; sai trạng thái hoặc người khác vừa xử lý: 409; báo cáo tổng hợp có số liệu đã cũ
    (`out_of_date`: có báo cáo đơn vị được duyệt hoặc thay đổi sau lần tổng hợp) thì submit, approve, sign
    và issue trả 409 nêu rõ thay đổi cho đến khi tổng hợp lại; báo cáo của đơn vị nhận số của sổ văn bản
    đơn vị khi submit; không dựng được tệp Word khi ban hành (không có gì thay đổi, chưa cấp số): 503."""
    user = request.auth
    payload = payload or TransitionIn()
    services.perform_transition(id, user, name, payload.comment, expected_state=payload.expected_state)
    return detail(user, visible_document(user, id))


@router.get("/documents/{id}/history", response={200: AuditEntryPageOut, **READ_ERRORS}, summary="Nhật ký xử lý")
def history(request, id: int = Path(..., ge=1, le=MAX_ID), pager: PageIn = Query(...)):
    """Các bước đã xử lý, cũ nhất trước, theo trang (`page`, `limit`)."""
    document = visible_document(request.auth, id)
    return paginate(services.history_rows(document), pager, presenters.audit_entry)


@router.get("/documents/{id}/versions/{n}", response={200: VersionOut, **READ_ERRORS}, summary="Xem một phiên bản")
def version(request, id: int = Path(..., ge=1, le=MAX_ID), n: int = Path(..., ge=1, le=MAX_VERSION)):
    document = visible_document(request.auth, id)
    found = DocumentVersion.objects.select_related("created_by").filter(document_id=document.pk, number=n).first()
    if found is None:
        raise NotFound(f"Không có phiên bản {n} của văn bản này.")
    found.document = document
    return presenters.version_detail(found, services.targets_for(document))


@router.get("/documents/{id}/diff", response={200: DiffOut, **READ_ERRORS}, summary="So sánh hai phiên bản", by_alias=True)
def diff(
    request,
    id: int = Path(..., ge=1, le=MAX_ID),
    from_: Optional[int] = Query(
        None, alias="from", ge=1, le=MAX_VERSION, description="Mặc định: phiên bản lúc bị trả lại gần nhất, nếu không có thì phiên bản liền trước"
    ),
    to: Optional[int] = Query(None, ge=1, le=MAX_VERSION, description="Mặc định: phiên bản hiện tại"),
):
    document = visible_document(request.auth, id)
    to = to or document.version
    if from_ is None:
        returned = last_returned_version(document)
        from_ = returned if returned is not None and returned <= to else max(1, to - 1)
    return diff_versions(document, from_, to)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_response(filename, content, content_type):
    # Django writes filename="…" for an ASCII name and the RFC 5987 filename*=utf-8''… otherwise.
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _binary(content_type, description):
    return {
        "responses": {
            "200": {
                "description": description,
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
                "headers": {"Content-Disposition": {"schema": {"type": "string"}, "description": "Tên tệp: filename, hoặc filename* (RFC 5987) khi tên có dấu"}},
            }
        }
    }


@router.get(
    "/documents/{id}/docx",
    response={**READ_ERRORS, 503: ErrorOut},
    summary="Tải tệp Word",
    openapi_extra=_binary(DOCX, "Tệp Word theo thể thức Nghị định 30/2020; văn bản đã ban hành trả đúng tệp đã lưu"),
)
def download_docx(request, id: int = Path(..., ge=1, le=MAX_ID)):
    document = visible_document(request.auth, id)
    try:
        filename, content = document_file(document)
    except StoredFileCorrupt as exc:
        return Status(503, {"detail": exc.detail, "errors": {}})
    return file_response(filename, content, DOCX)


PDF_RETRY_AFTER = 3  # seconds; a conversion takes a few seconds
RETRY_AFTER_HEADER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Số giây nên chờ trước khi hỏi lại"}}


def _pdf_openapi():
    extra = _binary(
        "application/pdf",
        "Tệp PDF của văn bản (phiên bản hiện tại), chuyển từ tệp Word bằng LibreOffice một lần rồi lưu lại; "
        "văn bản đã ban hành trả bản PDF của đúng tệp Word đã lưu.",
    )
    extra["responses"][202] = {
        "description": "Bản PDF đang được tạo; hỏi lại sau số giây ở tiêu đề Retry-After.",
        "headers": RETRY_AFTER_HEADER,
    }
    extra["responses"][503] = {
        "description": "Chưa tạo được bản PDF; `detail` nói lý do (ví dụ máy chủ chưa cài LibreOffice: cài gói "
        "libreoffice-writer-nogui hoặc đặt biến môi trường SOFFICE). Hỏi lại sau Retry-After giây sẽ thử tạo lại; "
        "trong lúc chờ, tải tệp Word.",
        "headers": RETRY_AFTER_HEADER,
    }
    return extra


@router.get(
    "/documents/{id}/pdf",
    response={**READ_ERRORS, 202: PendingOut, 503: ErrorOut},
    summary="Tải tệp PDF",
    openapi_extra=_pdf_openapi(),
)
def download_pdf(request, response: HttpResponse, id: int = Path(..., ge=1, le=MAX_ID)):
    document = visible_document(request.auth, id)
    original = signing.original(document)
    if original is not None:  # issued with digital signatures: the signed original, byte for byte
        try:
            return file_response(original.filename, original.content(), "application/pdf")
        except ValueError as exc:
            return Status(503, {"detail": str(exc), "errors": {}})
    pdf = pdfs.request(document)
    if pdf.status == pdf.Status.READY:
        try:
            return file_response(pdf.filename, pdf.content, "application/pdf")
        except StoredFileCorrupt as exc:
            return Status(503, {"detail": exc.detail, "errors": {}})
    if pdf.status == pdf.Status.PENDING:
        response["Retry-After"] = str(PDF_RETRY_AFTER)
        return Status(202, {"detail": pdfs.BEING_MADE})
    # The reason says what is missing and how the administrator enables PDF export.
    response["Retry-After"] = str(int(pdfs.FAILED_RETRY_AFTER.total_seconds()))
    return Status(503, {"detail": pdf.error or pdfs.RENDER_FAILED, "errors": {}})
