"""A lost database answers 503: a short Vietnamese page, or the API's error JSON under /api/.

Never a 500 or Django's debug page: the database being down (or every pooled connection busy
longer than DB_POOL_TIMEOUT) is an outage the user can only wait out, not a bug.

A database error raised in a view reaches `process_exception`. One raised by an inner middleware
(loading the session or the user) never reaches this middleware as an exception, because Django
turns it into a 500 response inside that layer; the `got_request_exception` signal, sent for
every uncaught exception, marks the request instead, and the 500 is replaced here. The 503 page
is rendered without a request context: context processors would query the database again.
"""
import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger("config.database")

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE = "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. Vui lòng thử lại sau ít phút."
RETRY_AFTER_SECONDS = 30


def unavailable_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DATABASE_UNAVAILABLE, "errors": {}}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("503.html", {"detail": DATABASE_UNAVAILABLE}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@receiver(got_request_exception, dispatch_uid="config.middleware.mark_database_unavailable")
def mark_database_unavailable(sender, request=None, **kwargs):
    if request is not None and isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        request.database_unavailable = True


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "database_unavailable", False):
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable during %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        return None
