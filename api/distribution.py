"""Phát hành: «Văn bản đến» of the caller's unit, and where an issued document went."""
from datetime import datetime
from typing import Optional

from ninja import Field, Path, Query, Router, Schema

from distribution import services as distribution

from .documents import MAX_ID, READ_ERRORS, visible_document
from .pagination import PageIn, page_of, paginate

router = Router(tags=["Phát hành, văn bản đến"])


class IncomingOut(Schema):
    id: int
    document_id: int
    number: str = Field(..., description="Số, ký hiệu")
    issued_on: Optional[str] = Field(None, description="Ngày ban hành, YYYY-MM-DD")
    issuer: str = Field(..., description="Cơ quan ban hành")
    title: str
    received_at: datetime
    opened_at: Optional[datetime] = None
    opened_by: Optional[str] = None


class DeliveryOut(Schema):
    unit: str
    channel: str = Field(..., description="internal: Văn bản đến trong hệ thống; email: thư điện tử")
    email: str
    status: str = Field(..., description="delivered hoặc failed")
    error: str
    sent_at: datetime
    opened_at: Optional[datetime] = None
    opened_by: Optional[str] = None


IncomingPageOut = page_of(IncomingOut, "IncomingPageOut")
DeliveryPageOut = page_of(DeliveryOut, "DeliveryPageOut")


def _person(user):
    return (user.full_name or user.username) if user else None


@router.get("/incoming", response={200: IncomingPageOut, **READ_ERRORS}, summary="Văn bản đến của đơn vị")
def incoming(request, pager: PageIn = Query(...)):
    """Văn bản các cơ quan đã phát hành tới đơn vị của người gọi, mới nhất trước, theo trang."""
    return paginate(distribution.incoming_for(request.auth), pager, lambda d: {
            "id": d.pk, "document_id": d.document_id, "number": d.document.number_label,
            "issued_on": d.document.issued_on.isoformat() if d.document.issued_on else None,
            "issuer": d.document.commune.name, "title": d.document.title, "received_at": d.sent_at,
            "opened_at": d.opened_at, "opened_by": _person(d.opened_by),
        })


@router.get("/documents/{id}/deliveries", response={200: DeliveryPageOut, **READ_ERRORS}, summary="Nơi nhận và tình trạng")
def deliveries(request, id: int = Path(..., ge=1, le=MAX_ID), pager: PageIn = Query(...)):
    """Mỗi đơn vị nhận: cách gửi, tình trạng, ai mở và lúc nào; theo thứ tự đơn vị, theo trang."""
    document = visible_document(request.auth, id)
    return paginate(distribution.delivery_rows(document), pager, lambda d: {
            "unit": d.unit.name, "channel": d.channel, "email": d.email, "status": d.status, "error": d.error,
            "sent_at": d.sent_at, "opened_at": d.opened_at, "opened_by": _person(d.opened_by),
        })
