"""Every error the API answers is JSON {"detail": "...", "errors": {"field": ["..."]}} in Vietnamese.

The handlers below translate service errors (workflows.errors), request validation errors
(pydantic, through django-ninja) and authentication failures; a lost database answers 503
(config.middleware). The catch-all is a last resort:
it logs the bug and answers an honest 500 in the same JSON shape, so the fuzz test notices it.
"""
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from config.middleware import DATABASE_UNAVAILABLE, RETRY_AFTER_SECONDS
from workflows.errors import WorkflowError
from workflows.models import DocumentIsFrozen

logger = logging.getLogger("api")

NOT_AUTHENTICATED = (
    "Chưa đăng nhập hoặc khóa truy cập không hợp lệ. "
    "Lấy khóa tại POST /api/v1/auth/token rồi gửi tiêu đề «Authorization: Bearer <khóa>»."
)
CSRF_FAILED = "Yêu cầu từ phiên đăng nhập trình duyệt thiếu mã CSRF hợp lệ (tiêu đề X-CSRFToken)."
HTTP_MESSAGES = {
    400: "Không đọc được nội dung yêu cầu: cần gửi JSON hợp lệ (Content-Type: application/json).",
    401: NOT_AUTHENTICATED,
    403: "Tài khoản không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy.",
    405: "Phương thức không được hỗ trợ.",
    409: "Thao tác không phù hợp với trạng thái hiện tại.",
    429: "Quá nhiều yêu cầu. Vui lòng thử lại sau.",
}
INVALID = "Dữ liệu không hợp lệ."


class CsrfFailed(HttpError):
    def __init__(self):
        super().__init__(403, CSRF_FAILED)


def error_body(detail, errors=None):
    return {"detail": detail, "errors": errors or {}}


def _field_name(loc):
    """("body", "payload", "values", 0, "code") -> "values[0].code"; ("query", "kind") -> "kind"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        source = parts.pop(0)
        # A body schema is one parameter; its name ("payload") means nothing to the client.
        if source == "body" and len(parts) > 1:
            parts.pop(0)
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or "body"


def _message(error):
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return "Thiếu trường bắt buộc."
    if kind in ("string_too_long", "too_long"):
        unit = "ký tự" if kind == "string_too_long" else "phần tử"
        return f"Tối đa {ctx.get('max_length')} {unit}."
    if kind in ("string_too_short", "too_short"):
        return "Không được để trống." if ctx.get("min_length") == 1 else f"Tối thiểu {ctx.get('min_length')} ký tự."
    if kind == "string_pattern_mismatch":
        return "Không đúng định dạng (chỉ gồm chữ cái không dấu, chữ số, dấu gạch ngang, dấu chấm)."
    if kind in ("literal_error", "enum"):
        return f"Chọn một trong: {str(ctx.get('expected', '')).replace(' or ', ', ')}."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "Phải là một số nguyên."
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return "Phải là một số."
    if kind in ("bool_parsing", "bool_type"):
        return "Phải là true hoặc false."
    if kind == "string_type":
        return "Phải là một chuỗi văn bản."
    if kind == "string_unicode":
        return "Chứa ký tự Unicode không hợp lệ."
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return "Phải là một đối tượng JSON."
    if kind == "list_type":
        return "Phải là một danh sách."
    if kind == "greater_than_equal":
        return f"Phải lớn hơn hoặc bằng {ctx.get('ge')}."
    if kind == "less_than_equal":
        return f"Phải nhỏ hơn hoặc bằng {ctx.get('le')}."
    if kind == "greater_than":
        return f"Phải lớn hơn {ctx.get('gt')}."
    if kind == "less_than":
        return f"Phải nhỏ hơn {ctx.get('lt')}."
    if kind == "extra_forbidden":
        return "Trường này không được hỗ trợ."
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return "Phải là ngày dạng YYYY-MM-DD."
    if kind == "union_tag_invalid" or kind.startswith("union"):
        return "Kiểu dữ liệu không hợp lệ."
    if kind == "value_error":
        return str(ctx.get("error") or error.get("msg") or "Giá trị không hợp lệ.").removeprefix("Value error, ")
    return "Giá trị không hợp lệ."


def validation_errors(errors):
    fields = {}
    for error in errors:
        loc = error.get("loc") or ()
        # Union members report one error each; the field name is what the client needs.
        loc = tuple(part for part in loc if not (isinstance(part, str) and part.startswith(("function-", "union["))))
        if loc and loc[-1] in ("bool", "int", "float", "str", "none", "dict", "list"):
            loc = loc[:-1]
        messages = fields.setdefault(_field_name(loc), [])
        message = _message(error)
        if message not in messages:
            messages.append(message)
    return fields


def install(api):
    """Register the handlers on a NinjaAPI instance."""

    def respond(request, status, detail, errors=None):
        return api.create_response(request, error_body(detail, errors), status=status)

    @api.exception_handler(WorkflowError)
    def workflow_error(request, exc):
        return respond(request, exc.status, exc.detail, exc.errors)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        return respond(request, 400, INVALID, validation_errors(exc.errors))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(request, 401, NOT_AUTHENTICATED)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        detail = exc.message if exc.status_code == 403 and exc.message == CSRF_FAILED else None
        return respond(request, exc.status_code, detail or HTTP_MESSAGES.get(exc.status_code, INVALID))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, "Không tìm thấy.")

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return respond(request, 403, str(exc) or HTTP_MESSAGES[403])

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
        return respond(request, 400, f"Nội dung yêu cầu quá lớn (tối đa {limit} MB).", {"body": [f"Tối đa {limit} MB."]})

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return respond(request, 400, "Yêu cầu không hợp lệ.")

    @api.exception_handler(DocumentIsFrozen)
    def frozen(request, exc):
        return respond(request, 409, str(exc))

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request, exc):
        logger.error("Database unavailable during %s %s: %s", request.method, request.path, exc)
        response = respond(request, 503, DATABASE_UNAVAILABLE)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        # Inputs are validated so that this never runs; if it does, it is a bug worth a log line.
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return respond(request, 500, "Lỗi hệ thống. Sự cố đã được ghi lại; vui lòng thử lại hoặc báo quản trị viên.")
