from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from rounds.models import Notification
from rounds.selectors import read_for, unread_for

from .common import page_of, safe_next


class NotificationsView(LoginRequiredMixin, View):
    def get(self, request):
        unread = page_of(request, unread_for(request.user))
        read = page_of(request, read_for(request.user), param="trang-da-doc")
        return render(
            request,
            "web/notifications.html",
            {"unread": unread.object_list, "page": unread, "read": read.object_list, "read_page": read},
        )


class MarkReadView(LoginRequiredMixin, View):
    """Mark one (or, without an id, all) of the user's own notifications as read."""

    def post(self, request, pk=None):
        qs = Notification.objects.filter(user=request.user, read_at__isnull=True)
        if pk is not None:
            if not Notification.objects.filter(pk=pk, user=request.user).exists():
                raise Http404("Không tìm thấy thông báo.")
            qs = qs.filter(pk=pk)
        count = qs.update(read_at=timezone.now())
        if pk is None:
            messages.success(request, f"Đã đánh dấu {count} thông báo là đã đọc.")
        return HttpResponseRedirect(safe_next(request, "/"))
