from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Quản trị hệ thống văn bản"
admin.site.site_title = "Quản trị"
admin.site.index_title = "Danh mục quản trị"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
