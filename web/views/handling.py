"""Chuyển xử lý, phối hợp and ý kiến chỉ đạo from the document page (workflows.handling), and the
answer files of the units asked. Errors come back on the document page with their status code
and what was typed."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views import View

from workflows import handling
from workflows.errors import WorkflowError
from workflows.models import Consultation

from .. import presenters
from .common import error_page, safe_next, visible_document


def _back(request, pk):
    return safe_next(request, f"/van-ban/{pk}/")


class _PostOnly(LoginRequiredMixin, View):
    """A form's address opened directly: back to the document it belongs to, when the user may see
    it (404 otherwise, like the document itself)."""

    def get(self, request, pk, **kwargs):
        visible_document(request.user, pk)
        return redirect("van-ban:detail", pk=pk)


def _failed(request, pk, exc, **typed):
    """The document page again, with the error and the form as typed (status of the error)."""
    try:
        document = visible_document(request.user, pk)
    except Http404:
        return error_page(request, exc)
    context = presenters.document_context(document, request.user, with_diff=True)
    context.update({"office_error": exc, "typed": typed, "next_url": _back(request, pk)})
    return render(request, "web/document.html", context, status=exc.status)


class HandOverView(_PostOnly):
    def post(self, request, pk):
        to, note = request.POST.get("to", ""), request.POST.get("note", "")
        expected = request.POST.get("expected_assignee", "")
        try:
            document = handling.hand_over(
                pk, request.user, to, note, expected_assignee=int(expected) if expected.isdigit() else None
            )
        except WorkflowError as exc:
            return _failed(request, pk, exc, form="hand_over", to=to, note=note)
        messages.success(request, f"Đã chuyển văn bản cho {document.assignee} xử lý. Người nhận đã được thông báo.")
        # The former holder can no longer act on it: back to their list, not to a page of no actions.
        return HttpResponseRedirect(f"/van-ban/{pk}/")


class ConsultView(_PostOnly):
    def post(self, request, pk):
        unit, question, deadline = request.POST.get("unit", ""), request.POST.get("question", ""), request.POST.get("deadline", "")
        try:
            consultation = handling.request_consultation(pk, request.user, unit, question, deadline)
        except WorkflowError as exc:
            return _failed(request, pk, exc, form="consult", unit=unit, question=question, deadline=deadline)
        messages.success(
            request, f"Đã gửi đề nghị cho ý kiến tới {consultation.unit.name}, hạn trả lời {consultation.deadline:%d/%m/%Y}."
        )
        return HttpResponseRedirect(_back(request, pk) + "#phoi-hop")


class AnswerView(_PostOnly):
    def post(self, request, pk, consultation_id):
        answer = request.POST.get("answer", "")
        if not Consultation.objects.filter(pk=consultation_id, document_id=pk).exists():
            raise Http404("Không tìm thấy yêu cầu xin ý kiến.")
        try:
            handling.answer_consultation(consultation_id, request.user, answer, request.FILES.get("file"))
        except WorkflowError as exc:
            return _failed(request, pk, exc, form=f"answer-{consultation_id}", answer=answer)
        messages.success(request, "Đã gửi ý kiến trả lời. Người xin ý kiến đã được thông báo.")
        return HttpResponseRedirect(_back(request, pk) + "#phoi-hop")


class ConsultationFileView(LoginRequiredMixin, View):
    """The file of an answer, only to people who may see the document."""

    def get(self, request, pk, consultation_id):
        document = visible_document(request.user, pk)
        consultation = Consultation.objects.filter(pk=consultation_id, document=document).exclude(file="").first()
        if consultation is None:
            raise Http404("Không tìm thấy tệp.")
        try:
            handle = consultation.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("Tệp không còn trên máy chủ.") from None
        return FileResponse(handle, as_attachment=True, filename=consultation.file_name, content_type=consultation.file_type)


class InstructView(_PostOnly):
    def post(self, request, pk):
        text = request.POST.get("text", "")
        try:
            handling.give_instruction(pk, request.user, text)
        except WorkflowError as exc:
            return _failed(request, pk, exc, form="instruct", text=text)
        messages.success(request, "Đã ghi ý kiến chỉ đạo. Người soạn thảo và người thẩm định đã được thông báo.")
        return HttpResponseRedirect(_back(request, pk))
