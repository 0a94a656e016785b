"""A NUL character in any parameter is refused with a Chinese message, on every database
(PostgreSQL cannot store one, so a view reading it directly would otherwise answer 500)."""

import pytest
from django.urls import reverse

from bastion.core.testing import login

pytestmark = pytest.mark.django_db


def test_a_search_box_holding_nul_is_refused_and_others_pass(client, personas):
    login(client, personas.company)
    url = reverse("orgs:role_list")
    refused = client.get(url, {"q": "张\x00三"})
    assert refused.status_code == 400
    assert "空字符（NUL）" in refused.content.decode()
    assert client.get(url, {"q": "张三"}).status_code == 200


def test_nul_in_a_parameter_name_or_a_posted_form_is_refused(client, personas):
    login(client, personas.company)
    assert client.get(reverse("orgs:role_list"), {"q\x00": "1"}).status_code == 400
    response = client.post(reverse("orgs:role_list"), {"q": "\x00"})
    assert response.status_code == 400


def test_the_api_answers_json(api, personas):
    login(api, personas.company)
    response = api.get("/api/v1/people/", {"search": "\x00"})
    assert response.status_code == 400
    assert "空字符（NUL）" in response.json()["detail"]
    assert api.get("/api/v1/people/", {"search": "张"}).status_code == 200
