"""Pages of the 'Văn bản' application: inbox, search, document page, report form, actions, files."""
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from documents import pdfs, rendering
from documents.models import StoredFileCorrupt
from organizations.models import Unit
from organizations.ordering import UNIT_ORDER
from plans.models import Period, Target
from plans.selectors import plans_for
from rounds.selectors import next_period_for, unread_for
from signatures import services as signing
from workflows import attachments as doc_attachments
from workflows import content as doc_content
from workflows import handling, policy, queries, services, worklists
from workflows.errors import Conflict, Forbidden, Invalid, WorkflowError
from workflows.models import Attachment, Kind, State

from .. import editor, presenters
from .common import error_page, mark_overdue, page_of, query_param, safe_next, visible_document


def document_url(document):
    return reverse("van-ban:detail", args=[document.pk])


class HomeView(LoginRequiredMixin, View):
    """Việc cần xử lý: the person's four lists as tabs (workflows.worklists, the same selectors as
    GET /api/v1/worklists/{tab}), each paginated, with its count; a unit with nothing to do sees the
    next reporting period and who opens it (rounds.selectors.next_period_for)."""

    def get(self, request):
        user = request.user
        tabs = worklists.tabs_for(user)
        tab = request.GET.get("tab") or worklists.WAITING
        if tab == worklists.MONITORING and tab not in tabs:
            raise Forbidden(
                "Thẻ «Theo dõi» dành cho cơ quan thường trực, cán bộ thẩm định, lãnh đạo UBND và quản trị viên."
            )
        if tab not in tabs:
            tab = worklists.WAITING
        filters = worklists.MonitoringFilters.clean(**{k: query_param(request, k) for k in ("kind", "state", "unit", "period")})
        rows = worklists.tab_list(user, tab, filters)
        page = page_of(request, rows)
        counts = worklists.counts(user, page.paginator.count if tab == worklists.WAITING else None)
        documents = mark_overdue(worklists.describe(list(page.object_list)))
        for document in documents:
            document.work_url = presenters.work_url(document, user)
        context = {
            "tab": tab,
            "tab_label": worklists.TABS[tab],
            "tabs": [(key, worklists.TABS[key], counts[key]) for key in tabs],
            "page": page,
            "documents": documents,
            "can_create": creatable_periods(user),
            "notifications": list(unread_for(user)[:10]),
            # Phối hợp: opinions other units asked of this user's unit, still unanswered.
            "consult_requests": handling.open_consultations_for(user),
            "today": timezone.localdate(),
        }
        if tab == worklists.WAITING:
            # Shown when nothing waits (no dead end); read either way so the page's queries do not
            # depend on whether the list is empty.
            context["next_period"] = next_period_for(user)
        if tab == worklists.MONITORING:
            context.update(
                {
                    "filters": filters,
                    "kinds": Kind.choices,
                    "states": [c for c in State.choices if c[0] != State.ISSUED],
                    "periods": list(Period.objects.filter(plan__commune_id=user.home_commune_id).order_by("data_end", "kind").values_list("code", "name"))
                    if user.home_commune_id
                    else list(Period.objects.order_by("data_end", "kind").values_list("code", "name")),
                    "units": _units_for(user),
                }
            )
        return render(request, "web/home.html", context)


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
            # Only a period of the user's own commune: another commune's is "not found" like a missing one.
            period = Period.objects.select_related("plan").get(
                pk=int(request.POST.get("period", "0")), plan__commune_id=request.user.home_commune_id
            )
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
        chosen = {k: query_param(request, k) for k in ("kind", "period", "unit", "state", "q")}
        qs = queries.find_documents(user, **chosen, people=False)
        page = page_of(request, qs)
        page.object_list = presenters.row_urls(mark_overdue(queries.with_people(page.object_list)), detail_url="van-ban:detail")
        periods = _periods_for(user)
        units = _units_for(user)
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
            },
        )


def _periods_for(user):
    """The period choices: those of the plans the user may read (their commune's, a dozen; a province
    officer's supervised communes too), one choice per code (the filter is by code)."""
    periods = Period.objects.filter(plan__in=plans_for(user))
    return list(dict.fromkeys(periods.order_by("data_end", "kind", "code").values_list("code", "name")))


def _units_for(user):
    """The units offered in the search filter: those whose documents the user may see (same rule as
    workflows.policy.visible_documents), in the commune's order. One query."""
    units = Unit.objects.filter(active=True)
    if not user.is_superuser:
        wanted = Q(pk=user.unit_id) if user.unit_id else Q(pk__in=[])
        if policy.sees_whole_commune(user) and user.home_commune_id:
            wanted |= Q(commune_id=user.home_commune_id)
        wanted |= Q(commune_id__in=sorted(set(policy.readable_communes(user)) - {user.home_commune_id}))
        units = units.filter(wanted)
    return list(units.order_by("commune_id", *UNIT_ORDER).values_list("code", "name"))


class DocumentView(LoginRequiredMixin, View):
    """A document page. Pages of a step (Thẩm định, Ký duyệt) set `posts_to_self`: their action
    form posts to their own address, so a refused action comes back on the same page, in the same
    section of the menu, with the error (TransitionView otherwise)."""

    template_name = "web/document.html"
    with_diff = True
    posts_to_self = False

    def get(self, request, pk):
        document = visible_document(request.user, pk)
        return render(request, self.template_name, self.context(request, document))

    def post(self, request, pk):
        if not self.posts_to_self:
            return HttpResponseNotAllowed(["GET"])
        return perform_action(request, pk, self)

    def context(self, request, document, **extra):
        context = presenters.document_context(document, request.user, with_diff=self.with_diff)
        # What «Ký ban hành» / «Cấp số và phát hành» will do: the key, the PDF, the number and date.
        context["signing"] = signing.action_notice(document, request.user, [a["name"] for a in context["actions"]])
        if self.posts_to_self:
            context["action_url"] = request.path
        context.update(extra)
        return context


def perform_action(request, pk, page):
    """POST one lifecycle action. A refused one shows `page` (a DocumentView) again with the error
    and its status code, and what was typed; a done one goes to `next` with a message."""
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
        context = page.context(
            request, document,
            action_error=exc, comment=comment, failed_transition=name, next_url=safe_next(request, document_url(document)),
        )
        return render(request, page.template_name, context, status=exc.status)
    return action_done(request, document, name)


class TransitionView(DocumentView):
    """POST one lifecycle action from the document page; errors are shown on the document page
    with their status code."""

    def get(self, request, pk):
        return redirect("van-ban:detail", pk=pk)

    def post(self, request, pk):
        return perform_action(request, pk, self)


def action_done(request, document, name):
    """After a done action: say what happened and go where the form asked (`next`)."""
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
