"""Pages of the 'Văn bản' application: inbox, search, document page, report form, actions, files."""
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from documents import pdfs, rendering
from documents.models import StoredFileCorrupt
from organizations.models import Unit
from plans.models import Period, Target
from rounds.selectors import unread_for
from signatures import services as signing
from workflows import attachments as doc_attachments
from workflows import content as doc_content
from workflows import policy, queries, services
from workflows.errors import Conflict, Forbidden, Invalid, WorkflowError
from workflows.models import Attachment, Kind, State

from .. import editor, presenters
from .common import error_page, mark_overdue, query_param, safe_next, visible_document

PAGE_SIZE = 25


def document_url(document):
    return reverse("van-ban:detail", args=[document.pk])


class HomeView(LoginRequiredMixin, View):
    """Việc cần xử lý: exactly the documents whose next step is this user's."""

    def get(self, request):
        user = request.user
        documents = mark_overdue(list(queries.waiting_for(user)))
        for document in documents:
            document.work_url = presenters.work_url(document, user)
        return render(
            request,
            "web/home.html",
            {
                "documents": documents,
                "can_create": creatable_periods(user),
                "notifications": list(unread_for(user)[:10]),
            },
        )


def creatable_periods(user):
    """Open periods for which this user's unit may create its report and has none yet (two queries)."""
    unit = user.unit if user.unit_id else None
    if unit is None or not policy.may_create(user, Kind.UNIT_REPORT, unit):
        return []
    reported = Target.objects.filter(reporting_units=unit).values_list("plan_id", flat=True)
    periods = Period.objects.filter(opened_at__isnull=False, plan_id__in=reported).exclude(
        documents__kind=Kind.UNIT_REPORT, documents__unit=unit
    )
    return list(periods.order_by("data_end"))


class CreateReportView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            period = Period.objects.select_related("plan").get(pk=int(request.POST.get("period", "0")))
        except (Period.DoesNotExist, ValueError):
            return error_page(request, Invalid("Chọn kỳ báo cáo.", {"period": ["Kỳ báo cáo không tồn tại."]}))
        try:
            document = services.create_document(request.user, Kind.UNIT_REPORT, plan=period.plan, period=period)
        except WorkflowError as exc:
            return error_page(request, exc)
        messages.success(request, "Đã tạo dự thảo báo cáo. Hãy nhập số liệu và nội dung.")
        return redirect("van-ban:edit", pk=document.pk)


class SearchView(LoginRequiredMixin, View):
    """Tra cứu văn bản: workflows.queries.find_documents, the list GET /api/v1/documents gives too."""

    def get(self, request):
        user = request.user
        params = request.GET
        chosen = {k: query_param(request, k) for k in ("kind", "period", "unit", "state", "q")}
        qs = queries.find_documents(user, **chosen)
        page = Paginator(qs, PAGE_SIZE).get_page(params.get("trang"))
        mark_overdue(page.object_list)
        periods = _periods_for(user)
        units = _units_for(user)
        query_without_page = params.copy()
        query_without_page.pop("trang", None)
        return render(
            request,
            "web/search.html",
            {
                "page": page,
                "chosen": chosen,
                "kinds": Kind.choices,
                "states": State.choices,
                "periods": list(periods),
                "units": units,
                "querystring": query_without_page.urlencode(),
            },
        )


def _periods_for(user):
    """The period choices: the user's commune's (a dozen), not every commune's of the province;
    without a commune, one choice per period code (the filter is by code)."""
    periods = Period.objects.all()
    commune_id = user.home_commune_id
    if commune_id:
        periods = periods.filter(plan__commune_id=commune_id)
    return list(dict.fromkeys(periods.order_by("data_end", "kind", "code").values_list("code", "name")))


def _units_for(user):
    """The unit choices: the units of the user's commune (the filter is by code), or one choice
    per code and name for an account of no commune; a drafter only their own unit."""
    if policy.sees_all(user):
        units = Unit.objects.filter(active=True)
        commune_id = user.home_commune_id
        if commune_id:
            units = units.filter(commune_id=commune_id)
        return list(dict.fromkeys(units.order_by("order", "name", "code").values_list("code", "name")))
    if user.unit_id:
        return [(user.unit.code, user.unit.name)]
    return []


class DocumentView(LoginRequiredMixin, View):
    template_name = "web/document.html"
    with_diff = True

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        return render(request, self.template_name, self.context(request, document))

    def context(self, request, document, **extra):
        context = presenters.document_context(document, request.user, with_diff=self.with_diff)
        # What «Ký ban hành» / «Cấp số và phát hành» will do: the key, the PDF, the number and date.
        context["signing"] = signing.action_notice(document, request.user, [a["name"] for a in context["actions"]])
        context.update(extra)
        return context


class TransitionView(LoginRequiredMixin, View):
    """POST one lifecycle action; errors are shown on the document page with their status code."""

    def get(self, request, pk):
        return redirect("van-ban:detail", pk=pk)

    def post(self, request, pk):
        name = request.POST.get("transition", "")
        comment = request.POST.get("comment", "")
        expected = request.POST.get("expected_state") or None
        try:
            document = services.perform_transition(pk, request.user, name, comment, expected_state=expected)
        except WorkflowError as exc:
            try:
                document = visible_document(request.user, pk)
            except Http404:
                return error_page(request, exc)
            context = presenters.document_context(document, request.user, with_diff=True)
            context.update(
                {"action_error": exc, "comment": comment, "failed_transition": name, "next_url": safe_next(request, document_url(document))}
            )
            return render(request, "web/document.html", context, status=exc.status)
        label = policy.TRANSITION_LABELS.get(name, name)
        if name == "issue":
            messages.success(request, f"Đã cấp số {document.number_label}, ngày {document.issued_on:%d/%m/%Y}. Văn bản đã được phát hành.")
        else:
            messages.success(request, f"Đã thực hiện «{label}». Văn bản hiện ở trạng thái «{document.get_state_display()}».")
        return HttpResponseRedirect(safe_next(request, document_url(document)))


class EditView(LoginRequiredMixin, View):
    """The report form. Typed text is never lost: on any error the page comes back as typed."""

    template_name = "web/edit.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        document = visible_document(request.user, kwargs["pk"])
        if not request.user.has_perm("workflows.change_document", document):
            raise Forbidden("Chỉ cán bộ soạn thảo của đơn vị soạn thảo mới được sửa văn bản này.")
        self.document = document
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, request, data, *, version, status=200, **extra):
        document = self.document
        entries = services.history(document)
        context = {
            "doc": document,
            "form": data,
            "version": version,
            "returns": presenters.return_comments(entries),
            "initiative_kinds": doc_content.INITIATIVE_KINDS,
            "attachments": list(document.attachments.all()),
            "allowed_files": doc_attachments.ALLOWED_LABEL,
            "targets_for_files": [row["target"] for row in data["targets"]],
            "can_submit": "submit" in services.available_transitions(document, request.user),
        }
        context.update(extra)
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        document = self.document
        targets = services.targets_for(document)
        if not document.is_editable:
            messages.info(request, f"Văn bản đang ở trạng thái «{document.get_state_display()}», không thể sửa.")
            return redirect(document_url(document))
        return self.render_form(request, editor.rows_from_document(document, targets), version=document.version)

    def post(self, request, pk):
        document = self.document
        targets = services.targets_for(document)
        data = editor.rows_from_post(document, targets, request.POST)
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        title, sections, values, initiatives = editor.service_arguments(document, data)
        upload = request.FILES.get("evidence_file")
        action = request.POST.get("action", "save")
        try:
            with transaction.atomic():
                saved = services.update_document(
                    document.pk, request.user, version=version, title=title, sections=sections, values=values, initiatives=initiatives
                )
                if upload:
                    doc_attachments.add_attachment(saved.pk, request.user, upload, request.POST.get("evidence_target", ""))
        except Conflict as exc:
            current = type(document).objects.get(pk=document.pk)
            self.document = current
            return self.render_form(
                request, data, version=current.version, status=409, conflict=exc, conflict_version=current.version
            )
        except WorkflowError as exc:
            loose = editor.attach_errors(data, exc.errors)
            if upload and "file" not in exc.errors:
                data["file_error"] = "Tệp chưa được tải lên vì nội dung còn lỗi; hãy sửa lỗi rồi chọn lại tệp."
            return self.render_form(request, data, version=version, status=exc.status, error=exc, loose_errors=loose)
        if action == "submit":
            try:
                services.perform_transition(saved.pk, request.user, "submit", expected_state=saved.state)
            except WorkflowError as exc:
                self.document = saved
                data = editor.rows_from_document(saved, targets)
                loose = editor.attach_errors(data, exc.errors)
                return self.render_form(
                    request, data, version=saved.version, status=exc.status, error=exc, loose_errors=loose, saved_note=True
                )
            messages.success(request, "Đã lưu và trình văn bản.")
            return redirect(document_url(saved))
        messages.success(request, f"Đã lưu dự thảo (phiên bản {saved.version}).")
        return redirect("van-ban:edit", pk=saved.pk)


class AttachmentView(LoginRequiredMixin, View):
    """Evidence files are served only to people who may see the document."""

    def get(self, request, pk, attachment_id):
        document = visible_document(request.user, pk)
        try:
            attachment = Attachment.objects.get(pk=attachment_id, document=document)
        except Attachment.DoesNotExist:
            raise Http404("Không tìm thấy tệp minh chứng.") from None
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("Tệp minh chứng không còn trên máy chủ.") from None
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type)


class WordView(LoginRequiredMixin, View):
    def get(self, request, pk):
        document = visible_document(request.user, pk)
        try:
            filename, content = rendering.document_file(document)
        except rendering.StoredFileCorrupt as exc:
            return _file_unavailable(request, document, exc.detail)
        return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=rendering.DOCX_CONTENT_TYPE)


def _file_unavailable(request, document, detail):
    return render(
        request,
        "web/error.html",
        {"status": 503, "title": "Chưa tải được tệp", "detail": detail, "back": document_url(document)},
        status=503,
    )


class PdfView(LoginRequiredMixin, View):
    """GET: the stored PDF of the document as it is now, made once per version by a task; while it
    is being made, back to the document page, which says so and offers it when ready.
    POST: try again after a failure."""

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        original = signing.original(document)
        if original is not None:  # issued with digital signatures: the signed original itself
            try:
                content = original.content()
            except ValueError as exc:
                return _file_unavailable(request, document, str(exc))
            return FileResponse(io.BytesIO(content), as_attachment=True, filename=original.filename, content_type="application/pdf")
        pdf = pdfs.request(document)
        if pdf.status == pdf.Status.READY:
            try:
                content = pdf.content
            except StoredFileCorrupt as exc:
                return _file_unavailable(request, document, exc.detail)
            return FileResponse(io.BytesIO(content), as_attachment=True, filename=pdf.filename, content_type="application/pdf")
        if pdf.status == pdf.Status.FAILED:
            context = presenters.document_context(document, request.user, with_diff=True)
            return render(request, "web/document.html", context, status=503)
        messages.info(request, f"{pdfs.BEING_MADE} Trang này tự hiện nút tải khi bản PDF đã sẵn sàng.")
        return HttpResponseRedirect(document_url(document) + "#ban-pdf")

    def post(self, request, pk):
        document = visible_document(request.user, pk)
        pdfs.request(document, retry=True)
        return HttpResponseRedirect(document_url(document) + "#ban-pdf")


class PdfStatusView(LoginRequiredMixin, View):
    """JSON for the page's polling script: {"status": "none|pending|ready|failed", "detail": …}."""

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        pdf = pdfs.current(document)
        if pdf is None:
            return JsonResponse({"status": "none", "detail": ""})
        detail = {"pending": pdfs.BEING_MADE, "ready": "Bản PDF đã sẵn sàng.", "failed": pdf.error}[pdf.status]
        return JsonResponse({"status": pdf.status, "detail": detail}, json_dumps_params={"ensure_ascii": False})
