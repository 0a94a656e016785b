"""Forms every app shares: the login form, Tabler classes, organization and people pickers
(choices through the scope door), and the evidence file input."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import evidence
from .orgtree import organization_model, permitted_organizations, person_model


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错5次，账号将被临时锁定。"),
        "inactive": _("该账号已停用，请联系管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "username", "autofocus": True}
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control", "autocomplete": "current-password"}
        )


class BootstrapFormMixin:
    """Give every widget Tabler's classes so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


# --- organization and people pickers ---------------------------------------------------------

OUTSIDE_SCOPE_ORG = _("所选组织不在您的管理范围内，请重新选择。")
OUTSIDE_SCOPE_PERSON = _("所选人员不在您的管理范围内，请重新选择。")


def indented(node) -> str:
    """An organization's name indented by its depth in the tree (full-width spaces)."""
    return "　" * max(node.depth - 1, 0) + node.name


class OrganizationChoiceField(forms.ModelChoiceField):
    """One organization, accepted only among those the form's user may act for.

    The form calls :meth:`offer` with the user and the permission: the field then accepts any
    organization where the user holds it and shows a short list (the page's nearby picker
    options, never the whole tree), indented by depth, plus the organizations already chosen.
    """

    default_error_messages = {"invalid_choice": OUTSIDE_SCOPE_ORG}
    prompt = _("请选择")

    def __init__(self, *, queryset=None, **kwargs):
        if queryset is None:
            queryset = organization_model().objects.none()
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return indented(obj)

    def offer(self, user, permission: str, options=(), selected=()) -> None:
        """Accept the organizations where ``user`` holds ``permission``; show ``options`` and
        ``selected`` (organizations, None skipped), ordered by their place in the tree."""
        self.queryset = permitted_organizations(user, permission)
        shown = {node.pk: node for node in [*options, *selected] if node is not None}
        choices = [(node.pk, indented(node)) for node in sorted(shown.values(), key=_tree_order)]
        self.widget.choices = self.with_prompt(choices)

    def with_prompt(self, choices: list) -> list:
        return [("", self.prompt), *choices]


class OrganizationMultipleChoiceField(OrganizationChoiceField, forms.ModelMultipleChoiceField):
    """Several organizations, each among those the form's user may act for."""

    default_error_messages = {
        "invalid_choice": OUTSIDE_SCOPE_ORG,
        "invalid_pk_value": OUTSIDE_SCOPE_ORG,
    }

    def with_prompt(self, choices: list) -> list:
        return choices


class PersonChoiceField(forms.ModelChoiceField):
    """One person among those the form's user may see (``restrict(user, "view")``)."""

    default_error_messages = {"invalid_choice": OUTSIDE_SCOPE_PERSON}

    def __init__(self, *, queryset=None, **kwargs):
        if queryset is None:
            queryset = person_model().objects.none()
        super().__init__(queryset=queryset, **kwargs)

    def offer(self, user, action: str = "view") -> None:
        self.queryset = person_model().objects.restrict(user, action)


def _tree_order(node):
    return node.path


# --- evidence files -----------------------------------------------------------------------------


def unsaved_upload_names(value) -> list[str]:
    """The names of the files the user chose, when a form comes back to them: the browser
    never refills a file input, and nothing was stored (a form with an error saves nothing), so
    the page must say which files to choose again. ``value`` is a bound file field's value."""
    items = value if isinstance(value, list | tuple) else [value]
    return [item.name for item in items if isinstance(item, UploadedFile) and item.name]


def unsaved_upload_note(names: list[str]) -> str:
    """ "上次选择的文件“a.pdf”未保存，请重新选择。" naming each file (empty without files)."""
    if not names:
        return ""
    quoted = "".join(f"“{name}”" for name in names)
    return gettext("上次选择的文件%(names)s未保存，请重新选择。") % {"names": quoted}


class UploadInput(forms.ClearableFileInput):
    """The file input of every upload form. When the form comes back with an error, it names
    the files the user had chosen and asks for them again (decision: say it, rather than park
    the uploads on the server between two requests, where a refused or abandoned form would
    leave files nobody owns)."""

    def value_from_datadict(self, data, files, name):
        # A file field's bound value is its initial one (Django never shows an upload back),
        # so the chosen files are noted here, on this form's own copy of the widget.
        value = super().value_from_datadict(data, files, name)
        self.chosen = {**getattr(self, "chosen", {}), name: unsaved_upload_names(value)}
        return value

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        note = upload_note_html(getattr(self, "chosen", {}).get(name, []))
        return html + note if note else html  # SafeString + "" would be escaped


def upload_note_html(names: list[str]) -> str:
    note = unsaved_upload_note(names)
    if not note:
        return ""
    return format_html(
        '<div class="form-hint text-warning" data-testid="upload-not-kept">'
        '<i class="ti ti-alert-triangle"></i> {}</div>',
        note,
    )


class MultipleFileInput(UploadInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several evidence files in one input, each checked by content and size
    (``bastion.core.evidence.check_uploads``); every bad file is named at once."""

    def __init__(self, *args, **kwargs):
        accept = evidence.accept_attribute()
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        try:
            evidence.check_uploads(items)  # first: its messages name each bad file
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc
        single = super().clean
        return [single(item, initial) for item in items]


def files_help() -> str:
    """The help text under a multiple file input: the types and the size limit."""
    return _("可多选。允许 %(types)s，每个文件不超过 %(limit)s。") % {
        "types": evidence.allowed_types_text(),
        "limit": evidence.human_size(evidence.max_upload_bytes()),
    }
