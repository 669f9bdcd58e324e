"""Digital signatures of a document: GET /documents/{id}/signatures checks the signed PDF."""
from typing import Optional

from ninja import Field, Path, Router, Schema

from signatures import services as signing

from .documents import MAX_ID, READ_ERRORS, visible_document

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
