"""Document content in the shape of the typed content models (workflows.content).

- "models" (the initiatives, "mô hình") is renamed "initiatives", so it no longer reads like
  Django's models.
- Keys that were read but never written ("number_label", "recipients", "data_window") go.
- Each kind keeps only its own parts: sections everywhere; values, initiatives and previous in
  unit reports; compiled in summary reports (plans and summaries carried empty "values"/"models").
- An empty "previous" or "compiled" ({}) becomes null.

Versions are converted too (the kind comes from their document); issued documents keep their
stored Word file, only the JSON representation of their content changes. Reversible.
"""
from django.db import migrations

PARTS = {
    "plan": ("sections",),
    "unit_report": ("sections", "values", "initiatives", "previous"),
    "summary_report": ("sections", "compiled"),
}


def forward_content(kind, content):
    content = dict(content or {})
    if "models" in content:
        content.setdefault("initiatives", content.pop("models"))
    new = {key: content[key] for key in PARTS.get(kind, ("sections",)) if key in content}
    new.setdefault("sections", {})
    if kind == "unit_report":
        new.setdefault("values", {})
        new.setdefault("initiatives", [])
        new["previous"] = new.get("previous") or None
    if kind == "summary_report":
        new["compiled"] = new.get("compiled") or None
    return new


def backward_content(kind, content):
    content = dict(content or {})
    old = {
        "sections": content.get("sections") or {},
        "values": content.get("values") or {},
        "models": content.get("initiatives") or [],
    }
    if kind == "unit_report":
        old["previous"] = content.get("previous") or {}
    if kind == "summary_report" and content.get("compiled"):
        old["compiled"] = content["compiled"]
    return old


def _convert(apps, convert):
    Document = apps.get_model("workflows", "Document")
    DocumentVersion = apps.get_model("workflows", "DocumentVersion")
    # Historical models have plain managers: the append-only and frozen-document guards of the
    # real models do not apply, and save() writes just this field.
    for document in Document.objects.only("pk", "kind", "content").iterator():
        new = convert(document.kind, document.content)
        if new != document.content:
            Document.objects.filter(pk=document.pk).update(content=new)
    for version in DocumentVersion.objects.select_related("document").only("pk", "content", "document__kind").iterator():
        new = convert(version.document.kind, version.content)
        if new != version.content:
            DocumentVersion.objects.filter(pk=version.pk).update(content=new)


def forward(apps, schema_editor):
    _convert(apps, forward_content)


def backward(apps, schema_editor):
    _convert(apps, backward_content)


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_one_plan_document_per_plan")]

    operations = [migrations.RunPython(forward, backward)]
