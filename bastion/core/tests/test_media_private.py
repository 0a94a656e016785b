"""Uploaded files are reachable only through scoped views, in every mode: nothing is served
under MEDIA_URL (not even with DEBUG on), and a reader outside the file's subtree gets 404."""

import importlib
import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import clear_url_caches, reverse

import bastion.urls
from bastion.agenda.tests.meetings_factories import photo, record
from bastion.core.jobs import import_job_create
from bastion.orgs.importers import template_xlsx


@pytest.fixture
def attachment(personas, tree, people):
    meeting = record(personas.secretary_a, tree.station_a1, files=[photo()])
    stored = meeting.attachments.get()
    assert os.path.exists(stored.file.path)  # a 404 below is not a missing file
    return stored


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def mode(request):
    """The URL conf as built with DEBUG off and on."""
    with override_settings(DEBUG=request.param):
        importlib.reload(bastion.urls)
        clear_url_caches()
        yield request.param
    importlib.reload(bastion.urls)
    clear_url_caches()


def test_media_paths_are_not_served_in_any_mode(client, personas, attachment, mode):
    client.force_login(personas.company)
    url = f"{settings.MEDIA_URL}{attachment.file.name}"
    assert client.get(url).status_code == 404
    inside = reverse("agenda:meeting_attachment", args=[attachment.pk])
    assert client.get(inside).status_code == 200  # the scoped view serves it


def test_an_import_file_is_not_served_under_media(client, personas, mode):
    upload = SimpleUploadedFile("名册.xlsx", template_xlsx("people"))
    job = import_job_create(actor=personas.company, kind="people", uploaded_file=upload)
    client.force_login(personas.company)
    assert client.get(f"{settings.MEDIA_URL}{job.file.name or 'imports/'}").status_code == 404


@pytest.mark.parametrize(
    "persona,status",
    [("secretary_a", 200), ("member", 200), ("secretary_b", 404), ("outsider", 404)],
)
def test_a_file_view_answers_404_outside_the_subtree(client, personas, attachment, persona, status):
    client.force_login(getattr(personas, persona))
    url = reverse("agenda:meeting_attachment", args=[attachment.pk])
    assert client.get(url).status_code == status
