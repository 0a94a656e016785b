"""``{% load uploads %}``: the note beside a hand-written file input when its form comes back
with an error (``{{ form.files|unsaved_uploads }}``): the same words as ``UploadInput``."""

from django import template

from bastion.core.forms import unsaved_upload_names, upload_note_html

register = template.Library()


@register.filter
def unsaved_uploads(bound_field):
    """A bound file field → the "上次选择的文件…未保存，请重新选择" note (empty when the
    form is not bound or no file was chosen)."""
    if not getattr(bound_field, "form", None) or not bound_field.form.is_bound:
        return ""
    return upload_note_html(unsaved_upload_names(bound_field.data))
