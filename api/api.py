"""The NinjaAPI instance of API v1: auth, error handlers, routers."""
from ninja import NinjaAPI

from . import catalog, documents, errors
from . import handling as handling_routes
from . import distribution as distribution_routes
from . import signatures as signature_routes
from . import worklists as worklist_routes
from .auth import TooManyAttempts, api_auth
from .docs import OfflineSwagger
from .rounds import router as rounds_router

DESCRIPTION = """
API của hệ thống quản lý kế hoạch, báo cáo thi đua và văn bản của UBND xã, để kết nối với hệ thống
báo cáo của tỉnh và tự động hóa.

**Xác thực.** Gọi `POST /api/v1/auth/token` với tên đăng nhập và mật khẩu để lấy khóa, rồi gửi
`Authorization: Bearer <khóa>` trong mọi yêu cầu. Phiên đăng nhập của trình duyệt cũng dùng được;
khi đó yêu cầu ghi dữ liệu phải kèm tiêu đề `X-CSRFToken`. Đăng nhập sai nhiều lần bị tạm khóa (429).
Khóa hết hạn sau một số ngày (trường `expires_at`) và bị thu hồi khi đổi mật khẩu hoặc khóa tài khoản;
xem và thu hồi khóa của mình tại `GET /api/v1/auth/tokens`, `DELETE /api/v1/auth/tokens/{id}`.

**Lỗi.** Mọi lỗi trả về JSON `{"detail": "...", "errors": {"trường": ["..."]}}` bằng tiếng Việt:
400 dữ liệu không hợp lệ (nêu tên trường), 401 chưa xác thực, 403 không có quyền (nêu lý do),
404 không tìm thấy hoặc không được xem, 409 sai trạng thái hoặc người khác vừa thay đổi, 429 quá nhiều lần thử, 503 không tạo được tệp Word/PDF (không có gì bị thay đổi).

**Phân trang.** Mọi danh sách trả về theo trang: tham số `page` (từ 1) và `limit` (mặc định 50, tối đa 100);
kết quả `{"items": [...], "total": …, "page": …, "limit": …, "pages": …}`. Mỗi người chỉ thấy dữ liệu của xã
mình (cán bộ cấp tỉnh: các xã được giao theo dõi); văn bản của xã khác trả 404 như văn bản không tồn tại.

**Ngày tháng.** Các trường ngày dùng dạng ISO `YYYY-MM-DD` (ví dụ `issued_on`); trường `*_display`
ghi ngày dạng `dd/mm/yyyy` để hiển thị. Văn bản được chuẩn hóa Unicode NFC.
"""


class API(NinjaAPI):
    """django-ninja builds the OpenAPI document anew on every request for it (about a second of CPU
    here, for anyone who asks); it depends only on the code, so each process builds it once per path
    prefix."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        built = self.__dict__.setdefault("_openapi_schemas", {})
        if path_prefix not in built:
            built[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return built[path_prefix]


api = API(
    title="API hệ thống văn bản",
    version="1",
    description=DESCRIPTION.strip(),
    urls_namespace="api",
    auth=api_auth,
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)


@api.exception_handler(TooManyAttempts)
def too_many_attempts(request, exc):
    response = api.create_response(request, errors.error_body(exc.detail), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


api.add_router("", catalog.public)
api.add_router("", catalog.router)
api.add_router("", documents.router)
api.add_router("", handling_routes.router)
api.add_router("", rounds_router)
api.add_router("", signature_routes.router)
api.add_router("", distribution_routes.router)
api.add_router("", worklist_routes.router)
