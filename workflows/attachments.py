"""Evidence uploads: only known document and image types, sniffed by content, within a size limit."""
import os
import unicodedata

from django.conf import settings
from django.db import transaction

from . import policy
from .errors import Forbidden, Invalid, NotFound, WrongState
from .models import EDITABLE_STATES, Attachment, Document

# extension -> (content type, magic prefixes)
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
}
ALLOWED_LABEL = "PDF, PNG, JPG, DOCX, XLSX, PPTX, DOC, XLS"


def check_upload(uploaded):
    """Return (safe name, content type) or raise Invalid naming the field `file`."""
    name = unicodedata.normalize("NFC", os.path.basename(uploaded.name or "")).strip()
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED:
        raise Invalid("Loại tệp không được chấp nhận.", {"file": [f"Chỉ nhận các loại tệp: {ALLOWED_LABEL}."]})
    if uploaded.size > settings.UPLOAD_MAX_BYTES:
        limit = settings.UPLOAD_MAX_BYTES // (1024 * 1024)
        raise Invalid("Tệp quá lớn.", {"file": [f"Tệp lớn hơn giới hạn {limit} MB."]})
    if uploaded.size == 0:
        raise Invalid("Tệp rỗng.", {"file": ["Tệp không có nội dung."]})
    content_type, magics = ALLOWED[ext]
    head = uploaded.read(16)
    uploaded.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise Invalid("Nội dung tệp không khớp với đuôi tệp.", {"file": [f"Tệp «{name}» không phải là tệp {ext[1:].upper()} hợp lệ."]})
    safe = "".join(c for c in name if c.isalnum() or c in "._- ").strip() or f"minh-chung{ext}"
    return safe[:200], content_type


@transaction.atomic
def add_attachment(document_id, user, uploaded, target_code=""):
    try:
        document = Document.objects.select_for_update().get(pk=document_id)
    except Document.DoesNotExist:
        raise NotFound("Không tìm thấy văn bản.") from None
    if not policy.may_view(user, document):
        raise NotFound("Không tìm thấy văn bản.")
    if not policy.may_edit(user, document):
        raise Forbidden("Chỉ cán bộ soạn thảo của đơn vị mới được đính kèm minh chứng.")
    if document.state not in EDITABLE_STATES:
        raise WrongState("Chỉ đính kèm minh chứng khi văn bản đang soạn thảo hoặc bị trả lại.")
    name, content_type = check_upload(uploaded)
    attachment = Attachment(
        document=document,
        target_code=(target_code or "")[:10],
        original_name=name,
        content_type=content_type,
        size=uploaded.size,
        uploaded_by=user,
    )
    attachment.file.save(name, uploaded, save=False)
    attachment.save()
    return attachment
