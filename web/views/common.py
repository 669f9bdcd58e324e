"""Small helpers shared by the pages: finding a visible document, showing service errors."""
import io

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from rounds.freshness import freshness_many
from workflows import deadlines, queries
from workflows.errors import WorkflowError


def visible_document(user, pk):
    """The document if this user may see it; otherwise 404 (its existence is not revealed)."""
    try:
        return queries.documents_for(user).get(pk=pk)
    except Exception as exc:  # DoesNotExist, or a bad pk
        raise Http404("Không tìm thấy văn bản.") from exc


def mark_overdue(documents):
    """Flag each document that is past its period's deadline and not yet submitted (no query), and
    each summary report whose figures are out of date (rounds.freshness)."""
    for document in documents:
        document.overdue = queries.is_overdue(document)
        # The waiting step against its handling deadline (workflows.deadlines; annotated, no query).
        document.step = deadlines.step_status(document) if hasattr(document, "step_since") else None
    return mark_out_of_date(documents)


def mark_out_of_date(documents):
    """Flag each summary report that no longer matches the approved unit reports (one query in all)."""
    for document, state in zip(documents, freshness_many(documents)):
        document.out_of_date = bool(state and state["out_of_date"])
    return documents


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data, filename):
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=XLSX)


def error_page(request, exc: WorkflowError):
    return render(
        request,
        "web/error.html",
        {"status": exc.status, "detail": exc.detail, "errors": exc.errors},
        status=exc.status,
    )


def safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


_CONTROL = {c: None for c in range(32)}
_CONTROL[0x7F] = None


def query_param(request, name, max_length=200):
    """A GET parameter without control characters (PostgreSQL refuses NUL), trimmed and bounded."""
    return (request.GET.get(name) or "").translate(_CONTROL).strip()[:max_length]


PAGE_SIZE = 25


def page_of(request, rows, *, per_page=PAGE_SIZE, param="trang"):
    """One page of `rows` (a query sliced in the database, or a list) chosen by ?trang= (or `param`),
    with what templates/web/_pager.html needs: the page, its parameter, and the query string of the
    other parameters (the filters), so moving between pages keeps them."""
    page = Paginator(rows, per_page).get_page(request.GET.get(param))
    if not page.paginator.count and isinstance(rows, QuerySet):
        # Read the (empty) page anyway: a list runs the same queries whether it holds nothing or thousands.
        page.object_list = list(rows[:per_page])
    others = request.GET.copy()
    others.pop(param, None)
    page.param = param
    page.querystring = others.urlencode()
    return page
