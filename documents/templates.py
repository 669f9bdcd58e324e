"""Which Word template a kind of document uses, and the checks an uploaded template must pass.

An uploaded template is untrusted: its package is checked before unzipping
(documents.docx_package), its tags in the Jinja sandbox (documents.docx_engine), and it is only
ever rendered in a child process with a time and memory budget (documents.isolation), both at
upload and for every document made from it. Built-in templates are rendered in-process, in the
same sandbox.
"""
import functools
import io
import logging
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

from . import docx_engine, isolation
from .context import KNOWN_VARIABLES
from .docx_engine import TemplateRefused
from .docx_package import Limits, check_package
from .models import TemplateVersion
from .template_files import FILES, TEMPLATE_DIR

logger = logging.getLogger(__name__)
MAX_TEMPLATE_SIZE = 5 * 1024 * 1024
KIND_LABELS = dict(TemplateVersion.KIND_CHOICES)


@functools.cache
@functools.lru_cache(maxsize=None)
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


# --- limits and the isolated child -----------------------------------------------------------
def package_limits():
    return Limits(
        max_total_bytes=int(getattr(settings, "TEMPLATE_MAX_UNCOMPRESSED_BYTES", 20 * 1024 * 1024)),
        max_part_bytes=int(getattr(settings, "TEMPLATE_MAX_PART_BYTES", 10 * 1024 * 1024)),
        max_parts=int(getattr(settings, "TEMPLATE_MAX_PARTS", 300)),
        max_ratio=float(getattr(settings, "TEMPLATE_MAX_COMPRESSION_RATIO", 100)),
    )


def _budget():
    return {
        "timeout": float(getattr(settings, "TEMPLATE_RENDER_TIMEOUT_SECONDS", 10)),
        "memory_mb": int(getattr(settings, "TEMPLATE_RENDER_MEMORY_MB", 512)),
    }


def render_uploaded(data, context, *, title=None, author=None):
    """Render an uploaded template: package checks here, the render in a child within the budget.

    Raises TemplateRefused, isolation.Timeout/OutOfMemory/Failed; the caller falls back.
    """
    check_package(data, package_limits())
    return isolation.run(docx_engine.render_template, data, context, title=title, author=author, **_budget())


def validate_template(kind, data):
    """Raise ValidationError (Vietnamese) unless `data` is a usable template for `kind`.

    The zip is checked here without unzipping; tags are checked and the sample render is made in
    a child process with a time and memory budget (documents.isolation).
    """
    label = KIND_LABELS.get(kind, kind)
    if kind not in FILES:
        raise ValidationError("Chọn loại văn bản của mẫu.")
    if len(data) > MAX_TEMPLATE_SIZE:
        raise ValidationError(f"Tệp mẫu quá lớn ({len(data) // 1024} KB); tối đa {MAX_TEMPLATE_SIZE // 1024 // 1024} MB.")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValidationError("Không mở được tệp: đây không phải tệp Word .docx (hãy lưu lại bằng Word dưới dạng .docx).")
    limits = package_limits()
    budget = _budget()
    try:
        check_package(data, limits)
        return isolation.run(
            docx_engine.check_template,
            data,
            context=sample_context(kind),
            known_variables=sorted(KNOWN_VARIABLES),
            label=label,
            max_output_bytes=limits.max_total_bytes,
            **budget,
        )
    except TemplateRefused as exc:
        raise ValidationError(exc.message) from None
    except isolation.Timeout:
        raise ValidationError(
            f"Mẫu chạy quá thời gian cho phép ({budget['timeout']:g} giây) khi dựng văn bản thử và đã bị dừng. "
            "Hãy bỏ các vòng lặp {% for %} quá lớn hoặc lồng nhau trong mẫu."
        ) from None
    except isolation.OutOfMemory:
        raise ValidationError(
            f"Mẫu dùng quá nhiều bộ nhớ khi dựng văn bản thử (tối đa {budget['memory_mb']} MB) và đã bị dừng. "
            "Hãy bỏ các phép nhân chuỗi hoặc vòng lặp quá lớn trong mẫu."
        ) from None
    except isolation.Failed as exc:
        logger.warning("Template check failed in the child: %s", exc)
        raise ValidationError(f"Mẫu không dựng được văn bản với dữ liệu mẫu: {exc}.") from None
