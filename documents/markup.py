"""Turning stored text into the lines of a Word document.

Section text is line-based: "1. ..." is a khoản heading (bold), "a) ..." a điểm, "- ..." a dash
item, "+ ..." a plus item, anything else a plain paragraph. Each line is printed literally, prefix
included, as its own paragraph; blank lines are dropped.
"""
import re
import unicodedata

# Control characters docxtpl would turn into page breaks or paragraphs (\a, \f) or that are not
# allowed in XML at all. Line breaks and tabs are kept.
# Also the invisible and bidirectional characters workflows.content strips on the way in.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u202a-\u202e\u2066-\u2069\ufeff]")
_KHOAN = re.compile(r"^\d+\.(\s|$)")
_DIEM = re.compile(r"^[a-zđ]\)\s")
END_MARK = "./."


def clean(value):
    """NFC, no control characters, Unix line breaks. Never changes what the user meant."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL.sub("", text))


def clean_data(value):
    """`clean` applied to every string in a context (dicts, lists, tuples)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {key: clean_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_data(item) for item in value]
    return value


def line_kind(line):
    if _KHOAN.match(line):
        return "khoan"
    if _DIEM.match(line):
        return "diem"
    if line.startswith("- ") or line == "-":
        return "dash"
    if line.startswith("+ ") or line == "+":
        return "plus"
    return "plain"


def parse_lines(text):
    """[{"text", "kind", "bold"}] for each non-blank line of `text`."""
    lines = []
    for raw in clean(text).split("\n"):
        line = raw.strip()
        if not line:
            continue
        kind = line_kind(line)
        lines.append({"text": line, "kind": kind, "bold": kind == "khoan"})
    return lines


def with_end_mark(text):
    """Put "./." right after the last sentence: "... cuối năm." becomes "... cuối năm./."."""
    text = text.rstrip()
    if text.endswith(END_MARK):
        return text
    if text.endswith("."):
        text = text[:-1]
    return text + END_MARK


def punctuated_recipients(items, archive):
    """Nơi nhận lines: each "- ...;", the last "- Lưu: VT, ....".

    Trailing punctuation typed by the user is replaced, so the list is always correct.
    """
    lines = []
    for item in items:
        text = clean(item).strip().lstrip("-").strip().rstrip(";.,").strip()
        if text:
            lines.append(f"- {text};")
    archive_text = clean(archive).strip().rstrip(";.,").strip()
    if archive_text.lower().startswith("lưu:"):
        archive_text = archive_text[4:].strip()
    lines.append(f"- Lưu: {archive_text or 'VT'}.")
    return lines
