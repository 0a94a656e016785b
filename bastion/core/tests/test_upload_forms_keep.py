"""A form that comes back with an error names the files the user chose and asks for them again
(the browser never refills a file input, and nothing was stored): on every upload form."""

import importlib
import pkgutil
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

import bastion
from bastion.core.forms import MultipleFileField, UploadInput, unsaved_upload_names

NOTE = "上次选择的文件“{}”未保存，请重新选择"


def upload(name="通知.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


# --- the widget ----------------------------------------------------------------------------------


class Sample(forms.Form):
    title = forms.CharField()
    one = forms.FileField(required=False, widget=UploadInput)
    many = MultipleFileField()


def test_a_bound_form_names_each_chosen_file():
    files = MultiValueDict({"one": [upload("签到表.pdf")]})
    files.setlist("many", [upload("照片1.pdf"), upload("照片2.pdf")])
    form = Sample({"title": ""}, files)
    assert not form.is_valid()
    assert NOTE.format("签到表.pdf") in str(form["one"])
    assert "上次选择的文件“照片1.pdf”“照片2.pdf”未保存，请重新选择" in str(form["many"])


def test_an_empty_or_unbound_form_says_nothing():
    assert "未保存" not in str(Sample()["one"])
    assert "未保存" not in str(Sample({"title": ""}, {})["many"])
    assert unsaved_upload_names(None) == []
    assert unsaved_upload_names("tasks/old.pdf") == []  # a stored file's name, not an upload


def test_the_file_name_is_escaped():
    form = Sample({"title": ""}, {"one": upload("<img src=x onerror=alert(1)>.pdf")})
    html = str(form["one"])
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def _form_classes():
    """Every form class of the project's apps (their forms modules and views)."""
    root = Path(bastion.__file__).parent
    for module in pkgutil.walk_packages([str(root)], "bastion."):
        name = module.name
        leaf = name.rsplit(".", 1)[-1]
        if ".tests" in name or ".migrations" in name or not leaf.startswith(("forms", "views")):
            continue
        importlib.import_module(name)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return [c for c in seen if c.__module__.startswith("bastion.")]


def test_every_file_field_of_every_form_uses_the_upload_input():
    offenders = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in _form_classes()
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field, forms.FileField) and not isinstance(field.widget, UploadInput)
    ]
    assert offenders == []


def test_every_hand_written_file_input_shows_the_note():
    """A template that writes ``<input type="file">`` itself must add the same note."""
    root = Path(settings.BASE_DIR) / "templates"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if re.search(r'type="file"', path.read_text()) and "unsaved_uploads" not in path.read_text()
    ]
    assert offenders == []


# --- the forms, as used -----------------------------------------------------------------------


@pytest.mark.django_db
def test_task_form_with_an_error_names_the_attachment(client, personas, tree):
    from bastion.tasks.tests.test_tasks_pages import form_data

    client.force_login(personas.county)
    data = form_data(tree.county_a, title="", files=[upload("通知.pdf")])
    response = client.post(reverse("tasks:task_create"), data)
    assert response.status_code == 200
    assert NOTE.format("通知.pdf") in response.content.decode()


@pytest.mark.django_db
def test_feedback_form_with_an_error_names_the_evidence(client, personas, tree):
    from bastion.tasks.tests.factories import dispatch_to, make_task
    from bastion.tasks.tests.test_assignments_pages import post_answer

    task = make_task(tree.company, title="市公司工作单")
    rows = dispatch_to(task, [tree.station_b1], actor=personas.company)
    client.force_login(personas.secretary_b)
    response = post_answer(
        client, rows["C-B-1"], task, 培训党员人数="十五", evidence=[upload("会议记录.pdf")]
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "应为数字" in body and NOTE.format("会议记录.pdf") in body


@pytest.mark.django_db
def test_rectification_with_an_error_names_the_evidence_and_keeps_the_reason(
    client, personas, tree
):
    from bastion.problems.tests.helpers import make_problem

    problem = make_problem(personas.county, tree.station_a1)
    url = reverse("problems:problem_transition", args=[problem.pk])
    client.force_login(personas.secretary_a)
    assert client.post(url, {"to": "in_progress"}).status_code == 302
    bad = SimpleUploadedFile("现场照片.png", b"not an image", content_type="image/png")
    response = client.post(url, {"to": "submitted", "reason": "已整改到位", "files": [bad]})
    assert response.status_code == 400
    body = response.content.decode()
    assert NOTE.format("现场照片.png") in body
    assert "已整改到位</textarea>" in body


@pytest.mark.django_db
def test_meeting_attachments_with_an_error_name_the_files(client, personas, tree):
    from bastion.agenda.tests.meetings_factories import record
    from bastion.agenda.tests.meetings_factories import upload as meeting_upload

    meeting = record(personas.secretary_a, tree.station_a1)
    client.force_login(personas.secretary_a)
    bad = meeting_upload("签到表.png", b"not an image", "image/png")
    response = client.post(reverse("agenda:meeting_attach", args=[meeting.pk]), {"files": [bad]})
    assert response.status_code == 200
    assert NOTE.format("签到表.png") in response.content.decode()


@pytest.mark.django_db
def test_guide_attachment_with_an_error_names_the_file(client, personas):
    client.force_login(personas.company)
    bad = SimpleUploadedFile("流程图.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    url = reverse("agenda:guide_attachment_upload", args=["party-dues"])
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert NOTE.format("流程图.exe") in response.content.decode()
