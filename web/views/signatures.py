"""«Kiểm tra chữ ký số»: the signatures of a document's signed PDF, or of a PDF someone uploads."""
import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse
from django.shortcuts import render
from django.views import View

from documents import rendering
from signatures import services as signing
from signatures import verify

from workflows.errors import WorkflowError, WrongState
from workflows.models import State

from .common import error_page, visible_document

MAX_UPLOAD = 30 * 1024 * 1024


class SignaturesView(LoginRequiredMixin, View):
    template_name = "web/signatures.html"

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        return render(request, self.template_name, {"document": document, "report": signing.document_report(document)})

    def post(self, request, pk):
        """Check a PDF file received by other means (e-mail, USB) against nothing but its signatures."""
        document = visible_document(request.user, pk)
        upload = request.FILES.get("tep")
        context = {"document": document, "report": signing.document_report(document)}
        if upload is None:
            context["upload_error"] = "Chọn tệp PDF cần kiểm tra."
            return render(request, self.template_name, context, status=400)
        if upload.size > MAX_UPLOAD:
            context["upload_error"] = "Tệp lớn hơn 30 MB."
            return render(request, self.template_name, context, status=400)
        context["uploaded"] = {"name": upload.name, **verify.check(upload.read()).as_dict()}
        return render(request, self.template_name, context)


class SigningPreviewView(LoginRequiredMixin, View):
    """The PDF the signer is about to sign (approved version, no DỰ THẢO, number and day blank)."""

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        if document.state != State.APPROVED:
            return error_page(request, WrongState("Chỉ văn bản đã duyệt, đang chờ ký mới có bản PDF để ký."))
        try:
            data = signing.prepare_pdf(document)
        except WorkflowError as exc:
            return error_page(request, exc)
        name = rendering.file_name(document, "pdf").replace("Du-thao-", "Ban-se-ky-")
        return FileResponse(io.BytesIO(data), filename=name, content_type="application/pdf")
