from django.contrib import admin
from django.urls import include, path

from .health import healthz

admin.site.site_header = "Quản trị hệ thống văn bản"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Danh mục quản trị"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]
