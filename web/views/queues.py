"""Work queues of the reviewer, the signer and the văn thư, and the register."""
import io

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Q
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from documents import spreadsheets
from documents.selectors import register_for
from plans.models import Period
from plans.selectors import plans_for
from workflows import queries
from workflows.models import State

from .. import presenters
from .common import mark_overdue, page_of, query_param, xlsx_response
from .documents import DocumentView


class ReviewQueueView(LoginRequiredMixin, View):
    """The review queue, oldest submission first (index documents(commune, state, …)), by page,
    filtered on the server by state (?trang-thai=) and period (?ky=); counted after the four-eyes
    rule, so its number is the rows it shows."""

    def get(self, request):
        user = request.user
        state, period = query_param(request, "trang-thai", 20), query_param(request, "ky", 20)
        page = page_of(request, queries.for_review(user, state=state, period=period, people=False))
        documents = mark_overdue(queries.with_people(page.object_list))
        presenters.row_urls(documents, review_url="tham-dinh:review", transition_url="van-ban:transition")
        periods = Period.objects.filter(plan__in=plans_for(user)).order_by("data_end", "kind").values_list("code", "name").distinct()
        return render(
            request,
            "web/review_queue.html",
            {
                "documents": documents,
                "page": page,
                "states": [(s, State(s).label) for s in queries.REVIEW_STATES],
                "periods": list(periods),
                "chosen": {"state": state, "period": period},
            },
        )


class ReviewView(DocumentView):
    template_name = "web/review.html"
    posts_to_self = True


class SignQueueView(LoginRequiredMixin, View):
    def get(self, request):
        page = page_of(request, queries.for_signing(request.user))
        documents = mark_overdue(list(page.object_list))
        return render(request, "web/sign_queue.html", {"documents": documents, "page": page})


class SignView(DocumentView):
    template_name = "web/sign.html"
    posts_to_self = True


class ClerkQueueView(LoginRequiredMixin, View):
    def get(self, request):
        # The văn thư issues for their own commune only; a signed document handed to another văn thư
        # (chuyển xử lý) is theirs to issue.
        base = queries.documents_for(request.user).filter(commune_id=request.user.home_commune_id)
        signed = base.filter(state=State.SIGNED).exclude(
            Q(assignee_role="clerk", assignee__isnull=False) & ~Q(assignee_id=request.user.pk)
        )
        waiting = page_of(request, signed.order_by("updated_at", "id"))
        documents = mark_overdue(list(waiting.object_list))
        for document in documents:
            document.confirm_issue = presenters.confirmation(document, "issue", with_number=False)
        issued = page_of(request, base.filter(state=State.ISSUED).order_by("-issued_on", "-number", "-id"), param="trang-da-phat-hanh")
        return render(
            request,
            "web/clerk_queue.html",
            {"documents": documents, "page": waiting, "issued": issued.object_list, "issued_page": issued},
        )


def _year(request):
    try:
        return int(request.GET.get("nam", ""))
    except ValueError:
        return timezone.localdate().year


def _register(request):
    """The commune, year and register entries (a query) a register page or export shows."""
    year = _year(request)
    return request.user.home_commune, year, register_for(request.user, year)


REGISTER_HEADERS = ["Số, ký hiệu", "Ngày ban hành", "Loại", "Trích yếu", "Người ký", "Nơi nhận"]


def _register_rows(entries):
    for entry in entries:
        yield [
            entry.symbol,
            entry.issued_on.strftime("%d/%m/%Y"),
            "Kế hoạch" if entry.type_abbreviation == "KH" else "Báo cáo",
            entry.excerpt,
            entry.signer_name,
            "; ".join(str(r) for r in entry.recipients or []),
        ]


class RegisterView(LoginRequiredMixin, View):
    def get(self, request):
        commune, year, entries = _register(request)
        page = page_of(request, entries, per_page=50)
        return render(
            request,
            "web/register.html",
            {"entries": page.object_list, "page": page, "year": year, "years": range(timezone.localdate().year + 1, 2024, -1), "commune": commune},
        )


class RegisterExportView(LoginRequiredMixin, View):
    def get(self, request):
        commune, year, entries = _register(request)
        rows = list(_register_rows(entries))
        if request.GET.get("dinh-dang") == "csv":
            buffer = io.StringIO()
            buffer.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
            writer = spreadsheets.csv_writer(buffer)
            writer.writerow(REGISTER_HEADERS)
            writer.writerows(rows)
            data = io.BytesIO(buffer.getvalue().encode("utf-8"))
            return FileResponse(data, as_attachment=True, filename=f"so-van-ban-di-{year}.csv", content_type="text/csv; charset=utf-8")
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        book = Workbook()
        sheet = book.active
        sheet.title = f"Sổ văn bản đi {year}"
        spreadsheets.append_row(sheet, [f"SỔ ĐĂNG KÝ VĂN BẢN ĐI NĂM {year}" + (f" - {commune.name}" if commune else "")])
        sheet["A1"].font = Font(name="Times New Roman", bold=True, size=13)
        spreadsheets.append_row(sheet, REGISTER_HEADERS)
        for cell in sheet[2]:
            cell.font = Font(name="Times New Roman", bold=True)
        for row in rows:
            spreadsheets.append_row(sheet, row)
        for column, width in zip("ABCDEF", (16, 14, 12, 60, 24, 50)):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.font = Font(name="Times New Roman")
        out = io.BytesIO()
        book.save(out)
        return xlsx_response(out.getvalue(), f"so-van-ban-di-{year}.xlsx")
