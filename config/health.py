"""GET /healthz: is the database, the task queue and LibreOffice reachable? For load balancers,
monitoring and the commune's IT person; no login, JSON, no secrets (no URLs, hosts or messages
that could carry them, only what failed and what to check).

200 while the essentials (the database) work, 503 otherwise. The task queue and LibreOffice
only degrade the service: without them PDFs wait or fail with a reason, everything else works.
"""
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

OK, ERROR, INLINE, MISSING = "ok", "error", "inline", "missing"


def _timed(check):
    started = time.monotonic()
    result = check()
    result["ms"] = round((time.monotonic() - started) * 1000)
    return result


def check_database():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return {
            "status": ERROR,
            "essential": True,
            "detail": f"Không kết nối được cơ sở dữ liệu ({exc.__class__.__name__}). Kiểm tra máy chủ cơ sở dữ liệu và DATABASE_URL.",
        }
    return {"status": OK, "essential": True, "detail": "Cơ sở dữ liệu trả lời bình thường."}


def check_task_queue():
    if not settings.REDIS_URL:
        return {
            "status": INLINE,
            "essential": False,
            "detail": "Chưa cấu hình REDIS_URL: việc nền (tạo PDF, gửi thư, nhắc việc) chạy ngay trong tiến trình web.",
            "workers": 0,
        }
    import redis

    from config.celery import app

    timeout = settings.HEALTHZ_WORKER_TIMEOUT
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001
        return {
            "status": ERROR,
            "essential": False,
            "detail": f"Không kết nối được Redis (hàng đợi việc nền) ({exc.__class__.__name__}). Kiểm tra dịch vụ Redis và REDIS_URL.",
            "workers": 0,
        }
    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:  # noqa: BLE001
        replies = []
        reason = exc.__class__.__name__
    else:
        reason = ""
    if not replies:
        return {
            "status": ERROR,
            "essential": False,
            "detail": "Redis trả lời nhưng không có tiến trình worker nào trả lời trong "
            f"{timeout:g} giây{f' ({reason})' if reason else ''}: PDF và thư đang phải chờ. "
            "Khởi động worker: celery -A config worker -B.",
            "workers": 0,
        }
    return {"status": OK, "essential": False, "detail": f"{len(replies)} worker đang hoạt động.", "workers": len(replies)}


def check_libreoffice():
    from documents.pdf import available

    if available():
        return {"status": OK, "essential": False, "detail": "Tìm thấy LibreOffice (soffice) để tạo bản PDF."}
    return {
        "status": MISSING,
        "essential": False,
        "detail": "Không tìm thấy LibreOffice (soffice): chưa tạo được bản PDF. Cài gói libreoffice-writer-nogui hoặc đặt biến SOFFICE.",
    }


@never_cache
@require_GET
def healthz(request):
    checks = {
        "database": _timed(check_database),
        "task_queue": _timed(check_task_queue),
        "libreoffice": _timed(check_libreoffice),
    }
    essential_ok = all(c["status"] == OK for c in checks.values() if c["essential"])
    all_ok = all(c["status"] in (OK, INLINE) for c in checks.values())
    status = OK if all_ok else ("degraded" if essential_ok else ERROR)
    summary = {
        OK: "Hệ thống hoạt động bình thường.",
        "degraded": "Hệ thống vẫn phục vụ nhưng có thành phần phụ không hoạt động (xem từng mục).",
        ERROR: "Hệ thống không phục vụ được: cơ sở dữ liệu không trả lời.",
    }[status]
    return JsonResponse(
        {"status": status, "detail": summary, "checks": checks},
        status=200 if essential_ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )
