"""Vietnamese login pages, throttled by accounts.throttle (django-axes per username and address);
the administrator's login goes through the same gate. Logout is POST only."""
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import views as auth_views
from django.forms.forms import NON_FIELD_ERRORS
from django.template.response import TemplateResponse

from accounts import throttle


def _posted_username(request):
    # AuthenticationForm strips the name before authenticate(); the throttle must see the same name.
    return request.POST.get("username", "").strip()


def _locked(response, seconds):
    response.status_code = 429
    response["Retry-After"] = str(seconds)
    return response


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = _posted_username(request)
        request.throttle_answered = True
        with throttle.serialized(request, username):
            message, seconds = throttle.locked_message(request, username)
            if message:
                form = self.get_form_class()(request, initial={"username": username})
                return _locked(self.render_to_response(self.get_context_data(form=form, locked=message)), seconds)
            response = super().post(request, *args, **kwargs)
            if response.status_code == 400:
                # This failure may have been the last one allowed: say so now.
                response.context_data["locked_now"] = throttle.locked_message(request, username)[0]
            return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def admin_login(request, extra_context=None):
    """/admin/login/ behind the same throttle as the web login."""
    if request.method != "POST":
        return admin.site.login(request, extra_context)
    username = _posted_username(request)
    request.throttle_answered = True
    with throttle.serialized(request, username):
        message, seconds = throttle.locked_message(request, username)
        if message is None:
            return admin.site.login(request, extra_context)
    form = AdminAuthenticationForm(request, initial={"username": username})
    form.errors[NON_FIELD_ERRORS] = form.error_class([message])
    context = {
        **admin.site.each_context(request),
        "title": "Đăng nhập",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
        "form": form,
        REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, request.GET.get(REDIRECT_FIELD_NAME, "")),
        **(extra_context or {}),
    }
    request.current_app = admin.site.name
    return _locked(TemplateResponse(request, "admin/login.html", context), seconds)
