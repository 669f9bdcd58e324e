from django.contrib import admin
from django.urls import include, path

from web.views.auth import admin_login
from .health import healthz

admin.site.site_header = "Quản trị hệ thống văn bản"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Danh mục quản trị"

urlpatterns = [
    # Before admin.site.urls: the administrator's login is throttled like every other door.
    path("admin/login/", admin_login),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]
