"""Admin helpers shared by the apps' admin modules."""
from django.utils.text import capfirst


class RowLabelledMixin:
    """For a changelist form (list_editable): each box is named "<column> – <row>" for screen
    readers; a column header alone does not label the inputs under it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            return
        for name, field in self.fields.items():
            if name != self._meta.model._meta.pk.name:
                field.widget.attrs.setdefault("aria-label", f"{capfirst(field.label or name)} – {self.instance}")


class RowLabelledListEditable:
    """ModelAdmin mixin: the list's editable boxes are labelled by RowLabelledMixin."""

    def get_changelist_form(self, request, **kwargs):
        form = super().get_changelist_form(request, **kwargs)
        return type(f"RowLabelled{form.__name__}", (RowLabelledMixin, form), {})
