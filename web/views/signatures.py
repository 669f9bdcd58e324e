"""«Kiểm tra chữ ký số»: the signatures of a document's signed PDF, or of a PDF someone uploads."""
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views import View

from documents import rendering
from signatures import services as signing
from signatures.lazy import Deferred
from workflows import policy, services
from workflows.errors import Forbidden, WorkflowError, WrongState
from workflows.models import State

from .common import error_page, visible_document

verify = Deferred("signatures.verify")  # pyHanko loads with the first check (signatures.lazy)
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


class PdfToSignView(LoginRequiredMixin, View):
    """GET: the PDF to sign with the signer's own token and software (kept, to compare on upload).
    POST: the signed PDF back; accepted only if valid, the signer's, and over exactly that file."""

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        if document.state != State.APPROVED:
            return error_page(request, WrongState("Chỉ văn bản đã duyệt, đang chờ ký mới có bản PDF để ký."))
        if not policy.may(request.user, "sign", document):
            return error_page(request, Forbidden(policy.refusal_reason("sign", document, request.user)))
        try:
            prepared = signing.pdf_to_sign_elsewhere(document, request.user)
        except WorkflowError as exc:
            return error_page(request, exc)
        return FileResponse(io.BytesIO(prepared.content()), as_attachment=True, filename=prepared.filename, content_type="application/pdf")

    def post(self, request, pk):
        upload = request.FILES.get("tep")
        if upload is None or upload.size > MAX_UPLOAD:
            messages.error(request, "Chọn tệp PDF đã ký (tối đa 30 MB).")
            return redirect("ky-duyet:sign", pk=pk)
        try:
            services.perform_transition(pk, request.user, "sign", signed_file=upload.read())
        except WorkflowError as exc:
            messages.error(request, f"Không nhận tệp đã ký: {exc.detail}")
            return redirect("ky-duyet:sign", pk=pk)
        messages.success(request, "Đã nhận bản PDF đã ký số; văn bản chuyển sang «Đã ký».")
        return redirect("van-ban:detail", pk=pk)
