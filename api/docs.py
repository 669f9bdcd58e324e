"""The browsable API page at /api/v1/docs, working without internet access.

django-ninja ships Swagger UI, but serves it through the staticfiles app only when "ninja" is an
installed app, and otherwise links a CDN. Commune offices often have no reliable internet, so the
page below always loads the files bundled in the installed django-ninja package, served by
`asset` from a fixed list of names.
"""
import json
import mimetypes
from pathlib import Path

import ninja
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.svg", "favicon.png")

PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{assets}favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{assets}swagger-ui.css">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
<noscript>Trang này cần JavaScript. Tài liệu máy đọc được: <a href="{openapi}">{openapi}</a></noscript>
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-init.js"></script>
</body>
</html>
"""


class OfflineSwagger(DocsBase):
    def render_page(self, request, api, **kwargs):
        openapi_url = self.get_openapi_url(api, kwargs)
        settings = {"url": openapi_url, "layout": "BaseLayout", "deepLinking": True, "persistAuthorization": True}
        html = PAGE.format(
            title=escape(api.title),
            assets=escape(reverse("api-docs-asset", kwargs={"name": "x"})[:-1]),
            csrf=escape(get_token(request)),
            openapi=escape(openapi_url),
            # Inside <script>, "</" must not appear literally.
            settings=json.dumps(settings).replace("</", "<\\/"),
        )
        return HttpResponse(html)


@require_GET
@cache_control(public=True, max_age=86400)
def asset(request, name):
    if name not in ASSETS:
        raise Http404("Không có tệp này.")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    return HttpResponse((ASSET_DIR / name).read_bytes(), content_type=content_type)
