"""Rendering a docxtpl template, and checking one, without Django.

Templates are data an administrator can upload, so every template (built-in or uploaded) is
rendered in Jinja's ImmutableSandboxedEnvironment: no attribute starting with "_", no
`str.format` escape, no mutating the data. On top of the sandbox, `check_template` refuses at
upload any tag that reaches for Python internals, so the administrator is told which tag is
wrong instead of finding a silently blank document later.

This module imports nothing from Django on purpose: uploaded templates are checked and
rendered in a child process (documents.isolation) that has no settings, no app registry and no
database connection.

render_template(bytes, context, ...)    .docx bytes (the caller decides where it runs)
check_template(bytes, ...)              the upload check; raises TemplateRefused (Vietnamese)
"""
import io
import re
from datetime import datetime, timezone

import jinja2
from docx import Document as WordDocument
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate
from jinja2 import meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from . import layout

__all__ = ["TemplateRefused", "jinja_environment", "render_template", "check_template", "unsafe_tags"]


class TemplateRefused(Exception):
    """An uploaded template is not acceptable; the message says why, in Vietnamese."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- the environment ------------------------------------------------------------------------
def _literal(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    text = str(escape(str(value)))
    return Markup(text.replace("{", "&#123;").replace("}", "&#125;"))


class _Environment(ImmutableSandboxedEnvironment):
    """The sandbox, keeping the templates it compiled: docxtpl hands it the XML of the body, the
    headers and the footers as strings, and compiling them took as long as the whole rest of a
    render. The key is the source itself, so a changed template is compiled afresh."""

    COMPILED_KEPT = 64

    def __init__(self, **options):
        super().__init__(**options)
        self._compiled = {}

    def from_string(self, source, globals=None, template_class=None):
        if globals or template_class or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        template = self._compiled.get(source)
        if template is None:
            if len(self._compiled) >= self.COMPILED_KEPT:
                self._compiled.clear()
            template = self._compiled[source] = super().from_string(source)
        return template


_ENVIRONMENTS = {}


def jinja_environment(strict=False):
    """The sandboxed environment (one per process and strictness; it holds no per-render state)."""
    if strict not in _ENVIRONMENTS:
        _ENVIRONMENTS[strict] = _Environment(
            autoescape=True,
            finalize=_literal,
            undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        )
    return _ENVIRONMENTS[strict]


# --- rendering ------------------------------------------------------------------------------
def _twips(mm):
    return int(Mm(mm).twips)


def _cell_width_mm(paragraph_element, fallback):
    cell = next((a for a in paragraph_element.iterancestors(qn("w:tc"))), None)
    if cell is None:
        return fallback
    width = cell.find(f"{qn('w:tcPr')}/{qn('w:tcW')}")
    if width is None or width.get(qn("w:type")) not in (None, "dxa"):
        return fallback
    try:
        return int(width.get(qn("w:w"))) / 56.6929
    except (TypeError, ValueError):
        return fallback


def _text_width_mm(doc):
    section = doc.sections[0]
    try:
        return (section.page_width - section.left_margin - section.right_margin) / 36000
    except TypeError:
        return layout.TEXT_WIDTH


def _fit_rules(doc, context):
    """Lengths of the short lines under the issuing body and the trích yếu: 1/3–1/2 of the text."""
    header = context.get("header") or {}
    text_width = _text_width_mm(doc)
    wanted = {
        "VB Đường kẻ dưới tên cơ quan": (header.get("body_lines") or [], 13, layout.HEADER_LEFT),
        "VB Đường kẻ dưới trích yếu": ([context.get("title") or ""], 14, text_width + 2 * layout.CELL_MARGIN),
    }
    for paragraph in doc.element.body.iter(qn("w:p")):
        style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is None:
            continue
        style_name = doc.styles.element.get_by_id(style.get(qn("w:val")))
        name = style_name.name_val if style_name is not None else None
        if name not in wanted:
            continue
        lines, size, fallback = wanted[name]
        cell = _cell_width_mm(paragraph, fallback)
        available = cell - 2 * layout.CELL_MARGIN
        indent = _twips(layout.centred_rule_indent(cell, layout.short_rule_width(lines, size, available)))
        ind = paragraph.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:left"), str(indent))
        ind.set(qn("w:right"), str(indent))


def _keep_signature_with_text(doc):
    """The signature block never stands alone on a page: the paragraph before it keeps with it."""
    body = doc.element.body
    tables = body.findall(qn("w:tbl"))
    if not tables:
        return
    previous = tables[-1].getprevious()
    while previous is not None and previous.tag != qn("w:p"):
        previous = previous.getprevious()
    if previous is not None:
        ppr = previous.get_or_add_pPr()
        if ppr.find(qn("w:keepNext")) is None:
            ppr.keepNext_val = True


def render_template(template_bytes, context, *, strict=False, title=None, author=None):
    """Render docxtpl template bytes with `context` in the sandbox; returns .docx bytes.

    In-process: the caller runs uploaded templates through documents.isolation.
    """
    template = DocxTemplate(io.BytesIO(template_bytes))
    template.render(context, jinja_environment(strict), autoescape=True)
    # The rendered document as docxtpl holds it: fitted and saved once. (Saving it and opening the
    # bytes again to fit them cost half as much again as the render itself.)
    doc = template.docx
    _fit_rules(doc, context)
    _keep_signature_with_text(doc)
    props = doc.core_properties
    props.title = _safe_property(title or context.get("title") or "")
    if author:
        props.author = _safe_property(author)
        props.last_modified_by = _safe_property(author)
    # python-docx writes naive datetimes as UTC.
    now = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    props.created = now
    props.modified = now
    props.comments = ""
    out = io.BytesIO()
    template.save(out)  # docxtpl's save: also puts in any media the template replaced
    return out.getvalue()


def _safe_property(text):
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", str(text))[:250]


# --- checking a template ----------------------------------------------------------------------
# Core properties docxtpl renders as templates too (DocxTemplate.render_properties).
RENDERED_PROPERTIES = ["author", "comments", "identifier", "language", "subject", "title"]
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
# Attributes the sandbox refuses at run time; refused here already, with the tag named.
UNSAFE_ATTRIBUTES = {"mro", "format", "format_map"} | set().union(
    jinja2.sandbox.UNSAFE_FUNCTION_ATTRIBUTES,
    jinja2.sandbox.UNSAFE_METHOD_ATTRIBUTES,
    jinja2.sandbox.UNSAFE_GENERATOR_ATTRIBUTES,
    jinja2.sandbox.UNSAFE_COROUTINE_ATTRIBUTES,
    jinja2.sandbox.UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
)
LOADING_TAGS = {nodes.Include: "include", nodes.Import: "import", nodes.FromImport: "from … import", nodes.Extends: "extends"}


def template_sources(template):
    """(where, Jinja source) for every place docxtpl renders: body, headers, footers, footnotes, properties."""
    docx = template.get_docx()
    yield "nội dung", template.patch_xml(template.get_xml())
    for uri, where in [(template.HEADER_URI, "đầu trang"), (template.FOOTER_URI, "chân trang")]:
        for rel in docx._part.rels.values():
            if rel.reltype == uri and not rel.is_external and rel.target_part.blob:
                yield where, template.patch_xml(template.xml_to_string(parse_xml(rel.target_part.blob)))
    for part in docx.part.package.parts:
        if part.content_type == FOOTNOTES:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            yield "chú thích cuối trang", template.patch_xml(blob)
    for name in RENDERED_PROPERTIES:
        value = getattr(docx.core_properties, name)
        if value:
            yield "thuộc tính tệp", value


def _describe(node):
    """A short text for an expression node, to name it when its tag cannot be found."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{_describe(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_describe(node.node)}[{_describe(node.arg)}]"
    if isinstance(node, nodes.Filter):
        return f"{_describe(node.node)}|{node.name}"
    if isinstance(node, nodes.Call):
        return f"{_describe(node.node)}(…)"
    return "…"


def _unsafe_nodes(ast):
    """(needle, description) for each node that reaches for Python internals or other templates."""
    for node in ast.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Name)):
        if isinstance(node, nodes.Getattr) and (node.attr.startswith("_") or node.attr in UNSAFE_ATTRIBUTES):
            yield node.attr, f"thuộc tính nội bộ “{node.attr}” trong {_describe(node)}"
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str) and (
            node.arg.value.startswith("_") or node.arg.value in UNSAFE_ATTRIBUTES
        ):
            yield node.arg.value, f"thuộc tính nội bộ “{node.arg.value}” trong {_describe(node)}"
        elif isinstance(node, nodes.Filter) and node.name == "attr":
            # `|attr(...)` reads attributes by computed name, out of reach of this check.
            yield "attr", f"bộ lọc “attr” trong {_describe(node)}"
        elif isinstance(node, nodes.Name) and node.name.startswith("_"):
            yield node.name, f"tên nội bộ “{node.name}”"
    for node_type, label in LOADING_TAGS.items():
        for _ in ast.find_all(node_type):
            yield label.split()[0], f"thẻ nạp mẫu khác “{label}”"


def _tag_containing(source, needle):
    for match in TAG.finditer(source):
        if needle in match.group(0):
            text = re.sub(r"\s+", " ", match.group(0))
            return text if len(text) <= 160 else text[:157] + "…"
    return None


def unsafe_tags(ast, source):
    """Vietnamese descriptions of the tags of `source` (parsed: `ast`) that touch unsafe attributes."""
    found = []
    for needle, description in _unsafe_nodes(ast):
        tag = _tag_containing(source, needle)
        found.append(f"thẻ {tag} ({description})" if tag else description)
    return list(dict.fromkeys(found))


def _syntax_message(exc):
    hint = " Có thể Word đã đổi dấu nháy thẳng thành nháy cong trong thẻ; hãy tắt tự động thay dấu nháy." if any(
        quote in str(exc) for quote in "‘’“”"
    ) else ""
    return f"Mẫu có lỗi cú pháp trong thẻ {{{{ }}}} hoặc {{% %}}: {exc.message}.{hint}"


def check_template(data, *, context, known_variables, label, max_output_bytes):
    """The upload check of a template's tags and its sample render; returns the variables it uses.

    Raises TemplateRefused with the reason. Meant to run in the isolated child (it renders).
    """
    try:
        template = DocxTemplate(io.BytesIO(data))
        template.init_docx()
        sources = list(template_sources(template))
    except MemoryError:
        raise
    except Exception:
        raise TemplateRefused("Không mở được tệp: tệp Word bị hỏng hoặc không phải định dạng .docx.") from None
    env = jinja_environment(strict=True)
    used = set()
    for where, source in sources:
        try:
            ast = env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateRefused(_syntax_message(exc)) from None
        unsafe = unsafe_tags(ast, source)
        if unsafe:
            raise TemplateRefused(
                f"Mẫu bị từ chối vì lý do an toàn ({where}): {'; '.join(unsafe)}. "
                "Thẻ trong mẫu chỉ được đọc các biến dữ liệu của văn bản, không được truy cập thuộc tính nội bộ của Python."
            )
        try:
            # Compiles the tree: unknown filters and tests are found here.
            used |= meta.find_undeclared_variables(ast)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateRefused(_syntax_message(exc)) from None
    unknown = sorted(used - set(known_variables))
    if unknown:
        raise TemplateRefused(
            f"Mẫu dùng biến không có trong dữ liệu {label.lower()}: {', '.join(unknown)}. "
            f"Các biến được dùng: {', '.join(sorted(known_variables))}."
        )
    try:
        output = render_template(data, context, strict=True)
    except SecurityError as exc:
        raise TemplateRefused(f"Mẫu bị từ chối vì lý do an toàn: một thẻ truy cập thuộc tính không được phép ({exc}).") from None
    except jinja2.UndefinedError as exc:
        raise TemplateRefused(f"Mẫu dùng một trường không có trong dữ liệu mẫu: {exc.message}.") from None
    except jinja2.TemplateError as exc:
        raise TemplateRefused(f"Mẫu không dựng được văn bản với dữ liệu mẫu: {exc}.") from None
    except MemoryError:
        raise
    except Exception as exc:
        raise TemplateRefused(f"Mẫu không dựng được văn bản với dữ liệu mẫu: {exc}.") from None
    if len(output) > max_output_bytes:
        raise TemplateRefused(
            f"Văn bản dựng từ mẫu quá lớn ({len(output) // 1024} KB); tối đa {max_output_bytes // 1024 // 1024} MB."
        )
    try:
        WordDocument(io.BytesIO(output))
    except MemoryError:
        raise
    except Exception:
        raise TemplateRefused("Văn bản dựng từ mẫu bị hỏng, Word sẽ không mở được; hãy kiểm tra lại các thẻ.") from None
    return sorted(used)
