"""The person's own account: change the password, choose e-mail notices, see and revoke their API tokens."""
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.views import View

from api.auth import revoke_own_token, tokens_of

from .common import page_of

TOKENS_URL = reverse_lazy("accounts:khoa-truy-cap:index")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change (old password, new twice, the configured validators); the session
    stays logged in, the person's API tokens are revoked (accounts.signals)."""

    template_name = "web/password_change.html"

    def get_success_url(self):
        return reverse("accounts:doi-mat-khau:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context["fields"] = [
            (form["old_password"], "Mật khẩu hiện tại", "current-password"),
            (form["new_password1"], "Mật khẩu mới", "new-password"),
            (form["new_password2"], "Nhập lại mật khẩu mới", "new-password"),
        ]
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            "Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới; các khóa truy cập API cũ đã bị thu hồi.",
        )
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class EmailPreferenceView(LoginRequiredMixin, View):
    """Whether the person's notices are also mailed to them (accounts.User.email_notifications)."""

    def get(self, request):
        return render(request, "web/email_preference.html")

    def post(self, request):
        user = request.user
        user.email_notifications = request.POST.get("email_notifications") == "on"
        user.save(update_fields=["email_notifications"])
        if user.email_notifications and user.email:
            messages.success(request, f"Đã lưu. Thông báo sẽ được gửi thêm tới {user.email}.")
        elif user.email_notifications:
            messages.success(request, "Đã lưu. Tài khoản chưa có địa chỉ thư điện tử nên thông báo chỉ hiện trong hệ thống.")
        else:
            messages.success(request, "Đã lưu. Thông báo chỉ hiện trong hệ thống, không gửi thư điện tử.")
        return HttpResponseRedirect(reverse("accounts:nhan-thong-bao:index"))


class TokensView(LoginRequiredMixin, View):
    def get(self, request):
        page = page_of(request, tokens_of(request.user))
        context = {"tokens": page.object_list, "page": page, "ttl_days": settings.API_TOKEN_TTL_DAYS}
        return render(request, "web/api_tokens.html", context)


class RevokeTokenView(LoginRequiredMixin, View):
    def post(self, request, pk):
        revoke_own_token(request.user, pk)  # someone else's or unknown: 404 page
        messages.success(request, "Đã thu hồi khóa truy cập. Chương trình nào còn dùng khóa này sẽ không truy cập được nữa.")
        return HttpResponseRedirect(TOKENS_URL)
