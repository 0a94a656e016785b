"""The recipient's feedback form, built from the task's typed fields (the issuer's form as data).

Each ``FeedbackField`` becomes one Django field named ``f_<id>``: text, number, choice, date or
files. Answers are checked with ``feedback.clean_one`` (the same messages as the API); files
with ``core.evidence``. The service ``answers.assignment_answer`` checks everything again
and writes.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bastion.core.forms import MultipleFileField, files_help

from . import feedback as answers
from .models import FieldKind
from .services.answers import MAX_FEEDBACK


def field_name(field) -> str:
    return f"f_{field.pk}"


class AnswerField(forms.CharField):
    """A typed answer: the raw text, checked by ``feedback.clean_one`` for its kind."""

    def __init__(self, *args, feedback_field, **kwargs):
        self.feedback_field = feedback_field
        kwargs["required"] = False  # the required message comes from clean_one, naming the label
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return answers.clean_one(self.feedback_field, value)


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("反馈内容"),
        required=False,
        max_length=MAX_FEEDBACK,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
    )
    evidence = MultipleFileField(label=_("佐证材料"))
    remove_files = forms.TypedMultipleChoiceField(
        label=_("删除已上传的附件"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, assignment, fields, files, **kwargs):
        """``fields`` are the task's FeedbackFields, ``files`` this answer's FeedbackFiles."""
        if "initial" not in kwargs:
            kwargs["initial"] = initial_for(assignment, fields)
        super().__init__(*args, **kwargs)
        self.assignment = assignment
        self.task_fields = list(fields)
        self.existing_files = list(files)
        self.fields["evidence"].help_text = files_help()
        self.fields["evidence"].widget.attrs["class"] = "form-control"
        self.fields["remove_files"].choices = [(f.pk, f.original_name) for f in self.existing_files]
        self.fields["remove_files"].widget.attrs["class"] = "form-check-input"
        if not self.task_fields:
            self.fields["feedback"].required = True
        for field in self.task_fields:
            self.fields[field_name(field)] = make_field(field)

    def typed_fields(self):
        """(FeedbackField, bound field, its files already uploaded) in the issuer's order."""
        for field in self.task_fields:
            files = [f for f in self.existing_files if f.field_id == field.pk]
            yield field, self[field_name(field)], files

    def evidence_files(self):
        return [f for f in self.existing_files if f.field_id is None]

    def clean(self):
        data = super().clean()
        removed = set(data.get("remove_files") or [])
        for field in self.task_fields:
            if field.kind != FieldKind.FILE or not field.required:
                continue
            name = field_name(field)
            kept = [
                f for f in self.existing_files if f.field_id == field.pk and f.pk not in removed
            ]
            if name in self.errors or kept or data.get(name):
                continue
            self.add_error(name, _("“%(label)s”必须上传附件。") % {"label": field.label})
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        values, files = {}, {}
        for field in self.task_fields:
            value = data.get(field_name(field))
            if field.kind == FieldKind.FILE:
                files[str(field.pk)] = value or []
            elif value is not None:
                values[str(field.pk)] = value
        return {
            "feedback": data.get("feedback", ""),
            "values": values,
            "files": files,
            "evidence": data.get("evidence") or [],
            "remove_files": data.get("remove_files") or [],
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """The service names problems by field label (or ``feedback``/``evidence``/``files``)."""
        by_label = {f.label: field_name(f) for f in self.task_fields}
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            name = by_label.get(key, key)
            self.add_error(name if name in self.fields else None, messages)


def make_field(field) -> forms.Field:
    common = {"label": field.label, "help_text": field.help_text}
    if field.kind == FieldKind.FILE:
        widget = MultipleFileField().widget
        widget.attrs["class"] = "form-control"
        result = MultipleFileField(widget=widget, **common)
    elif field.kind == FieldKind.CHOICE:
        options = [("", _("请选择"))] + [(c, c) for c in field.choices]
        result = AnswerField(feedback_field=field, widget=forms.Select(choices=options), **common)
        result.widget.attrs["class"] = "form-select"
    elif field.kind == FieldKind.NUMBER:
        attrs = {"inputmode": "decimal", "class": "form-control"}
        result = AnswerField(feedback_field=field, widget=forms.TextInput(attrs=attrs), **common)
    elif field.kind == FieldKind.DATE:
        attrs = {"type": "date", "class": "form-control"}
        result = AnswerField(feedback_field=field, widget=forms.TextInput(attrs=attrs), **common)
    else:
        attrs = {"rows": 2, "class": "form-control"}
        result = AnswerField(feedback_field=field, widget=forms.Textarea(attrs=attrs), **common)
    result.needed = field.required
    return result


def initial_for(assignment, fields) -> dict:
    """The answer as it stands (after a return the recipient edits it, not a blank form)."""
    initial = {"feedback": assignment.feedback}
    values = assignment.values or {}
    for field in fields:
        if field.kind != FieldKind.FILE and str(field.pk) in values:
            initial[field_name(field)] = values[str(field.pk)]
    return initial
