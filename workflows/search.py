"""Document search that ignores Vietnamese diacritics and case ("chuyen doi so" finds "chuyển đổi số").

Every document keeps its searchable text folded in a column, `Document.search_text`, written by
`searchable_text` on every save (Document.save, and Document.objects.bulk_create for documents
written in bulk): title, number, unit, sections and initiatives, lower-cased, without diacritics,
đ as d, every run of punctuation or space as one space, with a space at both ends. A query is folded by the same function and matched as a phrase
that starts at a word boundary: `search_text LIKE '% <query>%'`.

On PostgreSQL that LIKE is served by a trigram GIN index on the column (pg_trgm, migration
workflows.0007), so a search at province scale does not read every document. The folding is done
in Python rather than with PostgreSQL's `unaccent` so that SQLite and PostgreSQL give the same
answers from the same function (unaccent's rules are a dictionary file of the server; đ, for one,
depends on it), and the index needs no immutable wrapper around unaccent.
"""
import re
import unicodedata

from workflows.content import load as load_content

_NOT_WORD = re.compile(r"[\W_]+")
# Fields whose change changes the folded text (Document.save adds search_text to update_fields).
SOURCE_FIELDS = frozenset({"title", "content", "number_label", "unit", "unit_id", "kind"})


def fold(text):
    """Lower-case, strip combining marks, map đ to d, turn punctuation and spaces into one space."""
    text = unicodedata.normalize("NFD", str(text or "").lower())
    text = "".join(c for c in text if not unicodedata.combining(c)).replace("đ", "d")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def searchable_text(document):
    """The folded text a document is found by, as stored in `search_text`."""
    content = load_content(document.kind, document.content)
    unit = document.unit if document.unit_id else None
    parts = [document.title, document.number_label, unit.name if unit else "", *content.sections.values()]
    parts.extend(initiative.name for initiative in getattr(content, "initiatives", []))
    return f" {fold(' '.join(p or '' for p in parts))} "


def search(queryset, query):
    """Narrow `queryset` to documents matching `query`; unchanged when the query is empty."""
    phrase = fold(query)
    if not phrase:
        return queryset
    return queryset.filter(search_text__contains=f" {phrase}")
