"""Checks on the .docx package (the zip) of an uploaded template, before anything is unzipped.

Read from the zip's central directory only: the number of parts, each part's and the total
uncompressed size, each part's compression ratio. Then, reading each part at most up to its
(already bounded) declared size: no DOCTYPE or ENTITY declaration in any XML part (XXE,
"billion laughs"), and no part that the package does not reference ([Content_Types].xml gives
every part a type; the relationships starting from _rels/.rels reach every part).

check_package(data, limits)   raises TemplateRefused naming the part and the reason
"""
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from .docx_engine import TemplateRefused

CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
CORRUPT = "Không mở được tệp: tệp Word bị hỏng hoặc không phải định dạng .docx."
NS_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A declaration in any of the encodings an XML parser would accept.
DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
WIDE_DECLARATIONS = [
    word.encode(encoding) for word in ("<!DOCTYPE", "<!ENTITY") for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
]


@dataclass(frozen=True)
class Limits:
    max_total_bytes: int
    max_part_bytes: int
    max_parts: int
    max_ratio: float


def _mb(value):
    """1536 -> "2 KB", 1572864 -> "1,5 MB" (Vietnamese decimal comma)."""
    if value < 1024 * 1024:
        return f"{-(-value // 1024)} KB"
    return f"{value / 1024 / 1024:.1f}".rstrip("0").rstrip(".").replace(".", ",") + " MB"


def _parse(name, raw):
    # No DTD, no entities, no network: the raw bytes were checked already, this is belt and braces.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(raw, parser)
    except etree.XMLSyntaxError:
        raise TemplateRefused(f"{CORRUPT} (Phần “{name}” không phải XML hợp lệ.)") from None


def _check_sizes(infos, limits):
    if len(infos) > limits.max_parts:
        raise TemplateRefused(f"Tệp mẫu có quá nhiều phần ({len(infos)}); tối đa {limits.max_parts} phần.")
    total = 0
    for info in infos:
        if info.file_size > limits.max_part_bytes:
            raise TemplateRefused(
                f"Phần “{info.filename}” của tệp mẫu quá lớn khi giải nén ({_mb(info.file_size)}); "
                f"mỗi phần tối đa {_mb(limits.max_part_bytes)}."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > limits.max_ratio:
            raise TemplateRefused(
                f"Phần “{info.filename}” của tệp mẫu bị nén bất thường (tỷ lệ nén {ratio:.0f}:1, tối đa "
                f"{limits.max_ratio:g}:1); tệp có thể là “bom nén”, không được nhận."
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise TemplateRefused(
            f"Tệp mẫu quá lớn khi giải nén ({_mb(total)}); tối đa {_mb(limits.max_total_bytes)}."
        )


def _content_types(archive, names):
    """{lowercase part name: content type} from [Content_Types].xml's Default and Override entries."""
    root = _parse(CONTENT_TYPES, archive.read(names[CONTENT_TYPES.lower()]))
    defaults = {
        (e.get("Extension") or "").lower(): e.get("ContentType") or "" for e in root.iter(f"{NS_TYPES}Default")
    }
    overrides = {
        (e.get("PartName") or "").lstrip("/").lower(): e.get("ContentType") or "" for e in root.iter(f"{NS_TYPES}Override")
    }
    types = {}
    for lower, name in names.items():
        if lower in overrides:
            types[lower] = overrides[lower]
        else:
            # OPC extension: after the last dot of the name ("_rels/.rels" has the extension "rels").
            base = posixpath.basename(lower)
            extension = base.rsplit(".", 1)[1] if "." in base else ""
            if extension in defaults:
                types[lower] = defaults[extension]
    return types


def _rels_name(part):
    """The relationships part of `part` ("" is the package itself)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _reachable(archive, names):
    """Lowercase names of the parts reachable by relationships from the package, with their .rels parts."""
    reached = {CONTENT_TYPES.lower()}
    pending = [""]
    seen = set()
    while pending:
        source = pending.pop()
        if source in seen:
            continue
        seen.add(source)
        rels = _rels_name(source).lower() if source else PACKAGE_RELS
        if rels not in names:
            continue
        reached.add(rels)
        root = _parse(names[rels], archive.read(names[rels]))
        base = posixpath.dirname(source)
        for relationship in root.iter(f"{NS_RELS}Relationship"):
            if (relationship.get("TargetMode") or "").lower() == "external":
                continue
            target = unquote(relationship.get("Target") or "").split("#", 1)[0]
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
            path = posixpath.normpath(path).lstrip("/").lower()
            if path in names:
                reached.add(path)
                pending.append(path)
    return reached


def check_package(data, limits):
    """Refuse a .docx that is too big unzipped, a zip bomb, carries a DTD, or hides parts."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise TemplateRefused(CORRUPT) from None
    with archive:
        _check_sizes(infos, limits)
        names = {}
        for info in infos:
            lower = info.filename.lower()
            if lower in names:
                raise TemplateRefused(f"{CORRUPT} (Phần “{info.filename}” xuất hiện hai lần.)")
            names[lower] = info.filename
        if CONTENT_TYPES.lower() not in names or PACKAGE_RELS not in names:
            raise TemplateRefused(CORRUPT)
        # Raw bytes first: nothing is parsed before every part is known to carry no DTD.
        for info in infos:
            try:
                with archive.open(info) as handle:
                    raw = handle.read(limits.max_part_bytes + 1)
            except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
                raise TemplateRefused(f"{CORRUPT} (Không đọc được phần “{info.filename}”.)") from None
            if len(raw) > limits.max_part_bytes:
                raise TemplateRefused(f"Phần “{info.filename}” của tệp mẫu quá lớn khi giải nén.")
            match = DECLARATION.search(raw)
            if match or any(wide in raw for wide in WIDE_DECLARATIONS):
                word = match.group(1).decode().upper() if match else "DOCTYPE/ENTITY"
                raise TemplateRefused(
                    f"Phần “{info.filename}” của tệp mẫu có khai báo {word}; mẫu Word không cần khai báo này và nó có "
                    "thể bị dùng để đọc tệp trên máy chủ hoặc làm treo máy chủ (XXE, “billion laughs”). "
                    "Hãy lưu lại tệp bằng Word rồi tải lên."
                )
        types = _content_types(archive, names)
        for lower, name in names.items():
            if lower != CONTENT_TYPES.lower() and lower not in types:
                raise TemplateRefused(
                    f"Phần “{name}” của tệp mẫu không có kiểu nội dung trong [Content_Types].xml; tệp không được nhận."
                )
        reached = _reachable(archive, names)
        for lower, name in names.items():
            if lower not in reached:
                raise TemplateRefused(
                    f"Phần “{name}” của tệp mẫu không được tài liệu tham chiếu tới (không có quan hệ nào trỏ tới nó); "
                    "tệp Word hợp lệ không chứa phần thừa, hãy lưu lại tệp bằng Word rồi tải lên."
                )
