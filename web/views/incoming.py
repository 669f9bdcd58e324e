"""«Văn bản đến» of a unit (documents other bodies issued to it) and, for the văn thư, where an
issued document went."""
import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views import View

from distribution import services as distribution

from .common import page_of, visible_document


class IncomingView(LoginRequiredMixin, View):
    def get(self, request):
        """Newest first, by page; ?chua-mo=1 keeps those nobody of the unit has opened yet."""
        rows = distribution.incoming_for(request.user)
        unopened = request.GET.get("chua-mo") == "1"
        if unopened:
            rows = rows.filter(opened_at__isnull=True)
        page = page_of(request, rows)
        return render(request, "web/incoming.html", {"items": page.object_list, "page": page, "unopened": unopened})


class IncomingOpenView(LoginRequiredMixin, View):
    """Opening an incoming document records who opened it and when (the first time)."""

    def get(self, request, pk):
        delivery = distribution.open_incoming(request.user, pk)
        if delivery is None:
            raise Http404("Không tìm thấy văn bản đến.")
        return render(request, "web/incoming_open.html", {"item": delivery, "doc": delivery.document})


class IncomingFileView(LoginRequiredMixin, View):
    def get(self, request, pk):
        delivery = distribution.open_incoming(request.user, pk)
        if delivery is None:
            raise Http404("Không tìm thấy văn bản đến.")
        name, data, content_type = distribution.attachment(delivery.document)
        return FileResponse(io.BytesIO(data), as_attachment=True, filename=name, content_type=content_type)


class DeliveriesView(LoginRequiredMixin, View):
    def get(self, request, pk):
        document = visible_document(request.user, pk)
        page = page_of(request, distribution.delivery_rows(document), per_page=50)
        return render(request, "web/deliveries.html", {"doc": document, "rows": page.object_list, "page": page})
