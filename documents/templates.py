"""Which Word template a kind of document uses, and the checks an uploaded template must pass."""
import functools
import io
import logging
import zipfile

import jinja2
from django.core.exceptions import ValidationError
from docx import Document as WordDocument
from docxtpl import DocxTemplate

from .build_templates import FILES, TEMPLATE_DIR
from .context import KNOWN_VARIABLES
from .models import TemplateVersion

logger = logging.getLogger(__name__)
MAX_TEMPLATE_SIZE = 5 * 1024 * 1024
KIND_LABELS = dict(TemplateVersion.KIND_CHOICES)


@functools.cache
def builtin_template(kind):
    """The committed template (read once per process: it only changes with a deploy)."""
    return (TEMPLATE_DIR / FILES[kind]).read_bytes()


def active_version(kind):
    return TemplateVersion.objects.filter(kind=kind, active=True).order_by("-uploaded_at", "-id").first()


def active_template(kind):
    """(version, bytes): the newest active uploaded template of this kind, else (None, the committed one)."""
    version = active_version(kind)
    if version is not None:
        try:
            with version.file.open("rb") as handle:
                return version, handle.read()
        except OSError:
            # A lost file must not stop documents from being produced.
            logger.error("Word template %s (%s) is missing; using the built-in template", version.pk, version.file.name)
    return None, builtin_template(kind)


# --- sample data used to check an uploaded template -----------------------------------------
TRICKY = "Dữ liệu thử: & < > \" ' {{ x }} {% if %} {_{ }_} \n dòng mới và một từ rất" + "dài" * 40


def _line(text, bold=False):
    return {"text": text, "kind": "khoan" if bold else "plain", "bold": bold}


def sample_context(kind):
    """A complete context with every key a template may use, and awkward text in it."""
    unit = kind == "unit_report"
    rows = {
        "unit_report": [{"code": "2.2", "text": "Tỷ lệ hồ sơ trực tuyến", "value": "96,5%", "note": TRICKY}],
        "summary_report": [
            {
                "code": "2.2",
                "text": "Tỷ lệ hồ sơ trực tuyến",
                "target": "≥ 95%",
                "result": "96,5%",
                "details": "Văn phòng HĐND-UBND: 96,5%\nChưa báo cáo: Trạm Y tế xã",
                "assessment": "Đạt",
            }
        ],
        "plan": [],
    }[kind]
    return {
        "draft": True,
        "header": {
            "parent_lines": ["UBND XÃ DIỄN CHÂU"] if unit else [],
            "body_lines": ["TRẠM Y TẾ XÃ"] if unit else ["ỦY BAN NHÂN DÂN", "XÃ DIỄN CHÂU"],
            "number": "     /BC-TYT" if unit else "     /KH-UBND",
            "place_date": "Diễn Châu, ngày    tháng 5 năm 2026",
        },
        "title": "Trích yếu thử " + TRICKY.replace("\n", " "),
        "addressee": "Ủy ban nhân dân xã Diễn Châu",
        "sections": [
            {"key": "preamble", "heading": "", "intro": [], "table": False, "after": [], "lines": [_line(TRICKY)]},
            {
                "key": "results",
                "heading": "I. KẾT QUẢ THỰC HIỆN",
                "intro": [_line("Kết quả thực hiện các chỉ tiêu:")],
                "table": bool(rows),
                "after": [_line("- Mô hình thử")],
                "lines": [_line("1. Khoản thử", True), _line("- Dòng thử./.")],
            },
        ],
        "targets": rows,
        "recipients": ["- Như trên;", "- Lưu: VT, TYT."],
        "signature": {"lines": ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"], "name": "Nguyễn Văn A"},
    }


def validate_template(kind, data):
    """Raise ValidationError (Vietnamese) unless `data` is a usable template for `kind`."""
    from .rendering import render_template

    label = KIND_LABELS.get(kind, kind)
    if kind not in FILES:
        raise ValidationError("Chọn loại văn bản của mẫu.")
    if len(data) > MAX_TEMPLATE_SIZE:
        raise ValidationError(f"Tệp mẫu quá lớn ({len(data) // 1024} KB); tối đa {MAX_TEMPLATE_SIZE // 1024 // 1024} MB.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError("Không mở được tệp: đây không phải tệp Word .docx (hãy lưu lại bằng Word dưới dạng .docx).")
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
    except Exception:
        raise ValidationError("Không mở được tệp: tệp Word bị hỏng hoặc không phải định dạng .docx.") from None
    try:
        used = template.get_undeclared_template_variables(jinja2.Environment())
    except jinja2.TemplateSyntaxError as exc:
        hint = " Có thể Word đã đổi dấu nháy thẳng thành nháy cong trong thẻ; hãy tắt tự động thay dấu nháy." if any(
            quote in str(exc) for quote in "‘’“”"
        ) else ""
        raise ValidationError(f"Mẫu có lỗi cú pháp trong thẻ {{{{ }}}} hoặc {{% %}}: {exc.message}.{hint}") from None
    except Exception as exc:
        raise ValidationError(f"Không đọc được các thẻ trong mẫu: {exc}.") from None
    unknown = sorted(set(used) - KNOWN_VARIABLES)
    if unknown:
        raise ValidationError(
            f"Mẫu dùng biến không có trong dữ liệu {label.lower()}: {', '.join(unknown)}. "
            f"Các biến được dùng: {', '.join(sorted(KNOWN_VARIABLES))}."
        )
    try:
        output = render_template(data, sample_context(kind), strict=True)
    except jinja2.UndefinedError as exc:
        raise ValidationError(f"Mẫu dùng một trường không có trong dữ liệu mẫu: {exc.message}.") from None
    except jinja2.TemplateError as exc:
        raise ValidationError(f"Mẫu không dựng được văn bản với dữ liệu mẫu: {exc}.") from None
    except Exception as exc:
        raise ValidationError(f"Mẫu không dựng được văn bản với dữ liệu mẫu: {exc}.") from None
    try:
        WordDocument(io.BytesIO(output))
    except Exception:
        raise ValidationError("Văn bản dựng từ mẫu bị hỏng, Word sẽ không mở được; hãy kiểm tra lại các thẻ.") from None
    return used
