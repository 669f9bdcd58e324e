"""Digital signatures of a document: GET /documents/{id}/signatures checks the signed PDF."""
from typing import Optional

from ninja import Field, File, Path, Router, Schema
from ninja.files import UploadedFile

from signatures import services as signing
from workflows import policy, services
from workflows.errors import Forbidden, Invalid, WrongState
from workflows.models import State

from .documents import MAX_ID, READ_ERRORS, WRITE_ERRORS, detail, file_response, visible_document
from .schemas import DocumentOut, ErrorOut

MAX_UPLOAD = 30 * 1024 * 1024

router = Router(tags=["Chữ ký số"])


class SignatureOut(Schema):
    field: str = Field(..., description="Tên ô chữ ký trong tệp PDF")
    signer: str = Field(..., description="Người ký (chủ thể của chứng thư số)")
    issuer: str = Field(..., description="Tổ chức cấp chứng thư số")
    signed_at: Optional[str] = Field(None, description="Thời điểm ký theo giờ Việt Nam, ISO 8601")
    intact: bool = Field(..., description="Nội dung đã ký còn nguyên vẹn")
    valid: bool = Field(..., description="Chữ ký đúng về mật mã")
    trusted: bool = Field(..., description="Chứng thư chuỗi được tới tổ chức chứng thực tin cậy đã cấu hình")
    covers_whole_file: bool = Field(..., description="Chữ ký bao toàn bộ tệp (không có gì thêm sau)")
    coverage: str
    changes_after: str = Field(..., description="Những gì được thêm sau chữ ký")
    ok: bool
    problem: str = Field(..., description="Lý do không hợp lệ (rỗng nếu hợp lệ)")


class SignaturesOut(Schema):
    document_id: int
    stage: Optional[str] = Field(None, description="signed: mới có chữ ký người ký; issued: bản gốc điện tử đã phát hành")
    sha256: Optional[str] = Field(None, description="Mã băm SHA-256 của tệp PDF đã ký được lưu")
    readable: bool
    ok: bool
    summary: str
    signatures: list[SignatureOut]


@router.get("/documents/{id}/signatures", response={200: SignaturesOut, **READ_ERRORS}, summary="Kiểm tra chữ ký số")
def document_signatures(request, id: int = Path(..., ge=1, le=MAX_ID)):
    return signing.document_report(visible_document(request.auth, id))


def _pdf_response(description):
    return {"responses": {200: {"description": description, "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get(
    "/documents/{id}/pdf-to-sign",
    response={**WRITE_ERRORS, 503: ErrorOut},
    summary="Tải bản PDF để ký bằng công cụ của mình",
    openapi_extra=_pdf_response("Bản PDF của phiên bản đã duyệt, chưa ký, có sẵn ô chữ ký; ký rồi gửi lại qua /signed-pdf."),
)
def pdf_to_sign(request, id: int = Path(..., ge=1, le=MAX_ID)):
    """Cho người có quyền ký văn bản đã duyệt (ký ở máy của mình bằng token và phần mềm ký số)."""
    user = request.auth
    document = visible_document(user, id)
    if document.state != State.APPROVED:
        raise WrongState(f"Văn bản đang ở trạng thái «{document.get_state_display()}», không có bản để ký.")
    if not policy.may(user, "sign", document):
        raise Forbidden(policy.refusal_reason("sign", document, user))
    prepared = signing.pdf_to_sign_elsewhere(document, user)
    return file_response(prepared.filename, prepared.content(), "application/pdf")


@router.post(
    "/documents/{id}/signed-pdf",
    response={200: DocumentOut, **WRITE_ERRORS, 503: ErrorOut},
    summary="Gửi bản PDF đã ký ở nơi khác (thay cho ký trên máy chủ)",
)
def upload_signed_pdf(request, id: int = Path(..., ge=1, le=MAX_ID), file: UploadedFile = File(...)):
    """Thao tác `sign` với tệp đã ký: chỉ nhận khi chữ ký hợp lệ, của chính người ký, và nội dung đúng
    bản đã tải về để ký. Sai: 400 nêu lý do (trường `file`); không có gì thay đổi."""
    user = request.auth
    if file.size > MAX_UPLOAD:
        raise Invalid("Tệp lớn hơn 30 MB.", {"file": ["Tệp lớn hơn 30 MB."]})
    services.perform_transition(id, user, "sign", signed_file=file.read())
    return detail(user, visible_document(user, id))
