"""Document search that ignores Vietnamese diacritics ("chuyen doi so" finds "chuyển đổi số").

Choice: fold in Python over the documents the user may see, after the cheap filters (kind,
period, unit, state) have run in the database. One query reads the searchable text of the
candidates, one reads the page of results, whatever the number of documents. This works the
same on SQLite and PostgreSQL without the unaccent extension or a stored search column; a
commune has a few hundred documents a year, so the scan is small.
"""
import re
import unicodedata

from workflows.content import load as load_content


def fold(text):
    """Lower-case, strip combining marks, map đ to d, collapse spaces."""
    text = unicodedata.normalize("NFD", str(text or "").lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d")
    return " ".join(text.split())


def _searchable(title, number_label, unit_name, content):
    parts = [title, number_label, unit_name, *content.sections.values()]
    parts.extend(initiative.name for initiative in getattr(content, "initiatives", []))
    return fold(" ".join(p or "" for p in parts))


def matching_ids(queryset, query):
    """Ids of documents in `queryset` whose text contains the folded query as a phrase that starts
    at a word boundary ("chuyen doi" finds "chuyển đổi số"; "uyen" does not). One query."""
    phrase = fold(query)
    if not phrase:
        return None
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase))
    rows = queryset.order_by().values_list("pk", "kind", "title", "number_label", "unit__name", "content")
    return [
        pk
        for pk, kind, title, label, unit, content in rows
        if pattern.search(_searchable(title, label, unit, load_content(kind, content)))
    ]


def search(queryset, query):
    """Narrow `queryset` to documents matching `query`; unchanged when the query is empty."""
    ids = matching_ids(queryset, query)
    if ids is None:
        return queryset
    return queryset.filter(pk__in=ids) if ids else queryset.none()
