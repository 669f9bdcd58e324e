"""The one order of units everywhere (lists, selects, documents, exports): the administrator's
`order`, then the name read as a person reads it, numbers as numbers ("xóm 2" before "xóm 10")."""
import re
import unicodedata

_NUMBER = re.compile(r"(\d+)")
# Width to which numbers are padded in the stored sort name; no unit name has a longer number.
_PAD = 6


def natural_key(text):
    """Python sort key of a name: "xóm 2" before "xóm 10", case ignored."""
    text = unicodedata.normalize("NFC", text or "")
    return [int(part) if part.isdigit() else part.casefold() for part in _NUMBER.split(text)]


def sort_name(text):
    """The same order as a string for the database (Unit.sort_name): numbers zero-padded."""
    text = unicodedata.normalize("NFC", text or "").casefold()
    return _NUMBER.sub(lambda m: m.group(1).zfill(_PAD), text)


def unit_key(unit):
    """Python sort key of a Unit, the same as UNIT_ORDER in SQL."""
    return (unit.order, natural_key(unit.name))


# order_by() of units, and of rows through their unit (prefix "unit__").
UNIT_ORDER = ("order", "sort_name")


def through_unit(prefix="unit__"):
    return tuple(prefix + field for field in UNIT_ORDER)
