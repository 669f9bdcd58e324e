"""viewflow's SiteMiddleware, with a Vietnamese reason when an application is refused, and
workflow errors raised anywhere in a view turned into a page with the right status code."""
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from viewflow.middleware import SiteMiddleware as ViewflowSiteMiddleware

from workflows.errors import WorkflowError


class SiteMiddleware(ViewflowSiteMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        match = request.resolver_match
        extra = getattr(getattr(match, "url_name", None), "extra", {}) if match else {}
        app = extra.get("app")
        if (app is not None or extra.get("site") is not None) and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if app is not None and not app.has_view_permission(request.user):
            raise PermissionDenied(getattr(app, "denied_reason", "") or "Bạn không có quyền mở trang này.")
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def process_exception(self, request, exception):
        if isinstance(exception, WorkflowError):
            response = TemplateResponse(
                request,
                "web/error.html",
                {"status": exception.status, "detail": exception.detail, "errors": exception.errors},
                status=exception.status,
            )
            return response.render()
        return None
