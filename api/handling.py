"""/documents/{id}/…: chuyển xử lý, phối hợp, ý kiến chỉ đạo, the waiting step and đôn đốc.

Thin views over workflows.handling and rounds.urging, which own the transactions and the rules:
403 with the reason when the caller may not, 409 when the state does not allow it or someone acted
first, 400 naming the field. A document the caller may not see answers 404.
"""
from typing import Optional

from django.http import FileResponse
from django.utils import timezone
from ninja import File, Form, Path, Query, Router
from ninja.responses import Status
from ninja.files import UploadedFile

from rounds import urging
from workflows import deadlines, handling, policy
from workflows.errors import NotFound
from workflows.models import Consultation

from .documents import READ_ERRORS, WRITE_ERRORS, visible_document
from .pagination import PageIn, page_of, paginate
from .presenters import audit_entry, display_name
from .schemas import (
    MAX_COMMENT,
    MAX_ID,
    AuditEntryOut,
    ConsultationIn,
    ConsultationOut,
    HandOverIn,
    HandOverOut,
    InstructionIn,
    StepOut,
    UrgeOut,
)

router = Router(tags=["Xử lý văn bản: chuyển xử lý, phối hợp, chỉ đạo"])
ConsultationPageOut = page_of(ConsultationOut, "ConsultationPageOut")
InstructionPageOut = page_of(AuditEntryOut, "InstructionPageOut")


def _person(user):
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": display_name(user), "position": user.position or ""}


def _hand_over_state(document, user):
    return {
        "step": policy.step_actor(document),
        "assignee": _person(document.assignee) if document.assignee_id else None,
        "assigned_at": document.assigned_at,
        "candidates": [_person(p) for p in handling.hand_over_candidates(document, user)],
    }


def _consultation(c, today):
    return {
        "id": c.pk,
        "unit": c.unit.code,
        "unit_name": c.unit.name,
        "question": c.question,
        "deadline": c.deadline,
        "requested_by": c.requested_by.username,
        "requested_at": c.requested_at,
        "overdue": c.is_overdue(today),
        "answered": c.answered,
        "answer": c.answer,
        "answered_by": c.answered_by.username if c.answered_by_id else None,
        "answered_at": c.answered_at,
        "file_name": c.file_name or None,
    }


@router.get("/documents/{id}/step", response={200: StepOut, **READ_ERRORS}, summary="Bước đang chờ và thời hạn xử lý")
def step(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Bước văn bản đang chờ (thẩm định, ký, phát hành), số ngày làm việc đã chờ so với thời hạn xử lý của
    loại văn bản (cấu hình HANDLING_DEADLINE_DAYS, tính theo ngày làm việc thứ Hai – thứ Sáu) và dấu quá hạn."""
    status = deadlines.step_status(visible_document(request.auth, id))
    if status is None:
        return {"step": None}
    return {
        "step": status.actor,
        "label": status.label,
        "since": status.since,
        "waited_working_days": status.waited,
        "limit_working_days": status.limit,
        "due": status.due,
        "overdue": status.overdue,
    }


@router.get("/documents/{id}/hand-over", response={200: HandOverOut, **READ_ERRORS}, summary="Người đang xử lý và người nhận được")
def hand_over_options(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Ai đang được giao bước đang chờ, và những đồng nghiệp (cùng đơn vị, cùng vai trò, không phải người
    soạn thảo) mà người gọi chuyển xử lý được cho; danh sách rỗng nếu người gọi không giữ bước này."""
    document = visible_document(request.auth, id)
    return _hand_over_state(document, request.auth)


@router.post("/documents/{id}/hand-over", response={200: HandOverOut, **WRITE_ERRORS}, summary="Chuyển xử lý")
def hand_over(request, payload: HandOverIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Người đang giữ bước xử lý (người thẩm định, lãnh đạo ký, văn thư) chuyển văn bản cho một đồng nghiệp
    cùng đơn vị, cùng vai trò, kèm nội dung chuyển. Người nhận được thông báo; từ đó chỉ người nhận xử lý
    bước này. Không giữ bước: 403; văn bản không chờ ai hoặc đã được chuyển cho người khác: 409;
    người nhận không hợp lệ: 400 (trường `to`); thiếu nội dung: 400 (trường `note`)."""
    user = request.auth
    handling.hand_over(id, user, payload.to, payload.note, expected_assignee=payload.expected_assignee)
    return _hand_over_state(visible_document(user, id), user)


@router.get("/documents/{id}/consultations", response={200: ConsultationPageOut, **READ_ERRORS}, summary="Ý kiến phối hợp")
def list_consultations(request, id: int = Path(..., ge=1, le=MAX_ID), pager: PageIn = Query(...)):
    """Các đề nghị cho ý kiến về văn bản (theo thứ tự đề nghị), câu trả lời và dấu quá hạn; phân trang."""
    document = visible_document(request.auth, id)
    today = timezone.localdate()
    return paginate(handling.consultations(document), pager, lambda c: _consultation(c, today))


@router.post("/documents/{id}/consultations", response={201: ConsultationOut, **WRITE_ERRORS}, summary="Xin ý kiến phối hợp")
def request_consultation(request, payload: ConsultationIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Người thẩm định (không phải người soạn thảo) xin ý kiến một đơn vị khác về văn bản, có hạn trả lời.
    Trạng thái văn bản không đổi. Cán bộ đơn vị được hỏi được thông báo và xem được văn bản.
    Chỉ khi văn bản đang chờ hoặc đang thẩm định (409 nếu không); đang chờ đơn vị đó trả lời: 409."""
    user = request.auth
    visible_document(user, id)
    consultation = handling.request_consultation(id, user, payload.unit, payload.question, payload.deadline)
    consultation = Consultation.objects.select_related("unit", "requested_by", "answered_by").get(pk=consultation.pk)
    return Status(201, _consultation(consultation, timezone.localdate()))


def _own_consultation(user, document_id, consultation_id):
    document = visible_document(user, document_id)
    consultation = Consultation.objects.select_related("unit", "requested_by", "answered_by").filter(pk=consultation_id, document=document).first()
    if consultation is None:
        raise NotFound("Không tìm thấy yêu cầu xin ý kiến.")
    return consultation


@router.post(
    "/documents/{id}/consultations/{cid}/answer",
    response={200: ConsultationOut, **WRITE_ERRORS},
    summary="Trả lời ý kiến phối hợp",
)
def answer_consultation(
    request,
    id: int = Path(..., ge=1, le=MAX_ID),
    cid: int = Path(..., ge=1, le=MAX_ID),
    answer: str = Form(..., max_length=MAX_COMMENT, description="Ý kiến trả lời của đơn vị (tối đa 5000 ký tự)"),
    file: Optional[UploadedFile] = File(None, description="Tệp kèm theo (PDF, ảnh, Office), tối đa UPLOAD_MAX_BYTES"),
):
    """multipart/form-data: `answer` và tùy chọn `file`. Chỉ cán bộ đơn vị được hỏi (403 nếu không); trả lời
    một lần (409 nếu đã trả lời); tệp sai loại, sai nội dung hoặc quá lớn: 400 (trường `file`)."""
    user = request.auth
    consultation = _own_consultation(user, id, cid)
    handling.answer_consultation(consultation.pk, user, answer, file)
    return _consultation(_own_consultation(user, id, cid), timezone.localdate())


@router.get(
    "/documents/{id}/consultations/{cid}/file",
    response=READ_ERRORS,
    summary="Tải tệp kèm câu trả lời",
    openapi_extra={"responses": {"200": {"description": "Tệp kèm theo", "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}},
)
def consultation_file(request, id: int = Path(..., ge=1, le=MAX_ID), cid: int = Path(..., ge=1, le=MAX_ID)):
    consultation = _own_consultation(request.auth, id, cid)
    if not consultation.file_name:
        raise NotFound("Câu trả lời này không có tệp kèm theo.")
    try:
        handle = consultation.file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound("Tệp không còn trên máy chủ.") from None
    response = FileResponse(handle, as_attachment=True, filename=consultation.file_name, content_type=consultation.file_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/documents/{id}/instructions", response={200: InstructionPageOut, **READ_ERRORS}, summary="Ý kiến chỉ đạo")
def list_instructions(request, id: int = Path(..., ge=1, le=MAX_ID), pager: PageIn = Query(...)):
    """Ý kiến chỉ đạo của lãnh đạo UBND về văn bản, mới nhất trước; phân trang."""
    document = visible_document(request.auth, id)
    return paginate(handling.instructions(document), pager, audit_entry)


@router.post("/documents/{id}/instructions", response={201: AuditEntryOut, **WRITE_ERRORS}, summary="Ghi ý kiến chỉ đạo")
def give_instruction(request, payload: InstructionIn, id: int = Path(..., ge=1, le=MAX_ID)):
    """Chủ tịch, Phó Chủ tịch (vai trò ký duyệt) ghi ý kiến chỉ đạo (bút phê) trên văn bản mình được xem, ở
    mọi trạng thái; người soạn thảo và người thẩm định được thông báo. Người khác: 403; nội dung rỗng: 400 (`text`)."""
    user = request.auth
    visible_document(user, id)
    entry = handling.give_instruction(id, user, payload.text)
    return Status(201, audit_entry(entry))


@router.post("/documents/{id}/urge", response={200: UrgeOut, **WRITE_ERRORS}, summary="Đôn đốc đơn vị chậm nộp báo cáo")
def urge(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Cán bộ Phòng Văn hóa – Xã hội và lãnh đạo UBND đôn đốc đơn vị có báo cáo đã quá hạn mà chưa trình:
    thông báo trong hệ thống và thư điện tử tới cán bộ đơn vị, một lần cho mỗi báo cáo. Gọi lại không gửi
    nữa (`sent_now`: false, kèm thời điểm đã gửi). Báo cáo không chậm: 409; không có quyền: 403."""
    user = request.auth
    visible_document(user, id)
    urged = urging.urge(id, user)
    row = urged.row
    when = timezone.localtime(row.created_at)
    detail = (
        f"Đã gửi đôn đốc tới {row.document.unit.name}."
        if urged.sent_now
        else f"{row.document.unit.name} đã được đôn đốc lúc {when:%H:%M %d/%m/%Y}; không gửi lại lần nữa."
    )
    return {
        "sent_now": urged.sent_now,
        "sent_at": row.created_at,
        "requested_by": row.requested_by.username if row.requested_by_id else None,
        "detail": detail,
    }
