"""Pages of every API collection: `?page=1&limit=50` (at most 100 a page), answered as
`{"items": [...], "total": 130, "page": 1, "limit": 50, "pages": 3}`.

`total` is one COUNT over the same filtered query (cheap: every collection is limited to the
caller's commune and served by an index); a page past the last one is empty, not an error. The
page is sliced in the database (LIMIT/OFFSET), so a request reads `limit` rows whatever the size
of the collection."""
import math

from django.db.models import QuerySet
from ninja import Field, Schema

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_PAGE = 1_000_000


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Trang thứ mấy, từ 1")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Số mục mỗi trang, tối đa {MAX_LIMIT}")


class PageOut(Schema):
    total: int = Field(..., description="Tổng số mục thỏa điều kiện lọc")
    page: int = Field(..., description="Trang hiện tại")
    limit: int = Field(..., description="Số mục tối đa mỗi trang")
    pages: int = Field(..., description="Số trang (0 khi không có mục nào)")


def page_of(item_schema, name):
    """The response schema of one page of `item_schema` items (named for the OpenAPI document)."""
    return type(name, (PageOut,), {"__annotations__": {"items": list[item_schema]}, "__doc__": f"Một trang {item_schema.__name__}."})


def paginate(rows, pager, present=None, *, page_rows=None):
    """One page of `rows` (a queryset, sliced in the database, or a list) as PageOut fields.
    `page_rows(items)` reads what the whole page needs at once (e.g. the four-eyes facts) before
    `present` turns each item into its answer."""
    total = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (pager.page - 1) * pager.limit
    items = list(rows[start : start + pager.limit]) if start < total else []
    if page_rows is not None and items:
        items = page_rows(items)
    if present is not None:
        items = [present(item) for item in items]
    return {"items": items, "total": total, "page": pager.page, "limit": pager.limit, "pages": math.ceil(total / pager.limit)}
