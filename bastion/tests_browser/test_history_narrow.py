"""An organization's 变更记录, with its seats' and people's changes and the kind filter, fits a
390 px phone in Chinese and in English (the table scrolls inside its card, the page does not)."""

import datetime as dt

import pytest
from django.urls import reverse

from bastion.orgs import services
from bastion.orgs.tests.factories import PersonFactory

from .test_narrow_pages import LANGUAGES, choose_language, measure

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_organization_history_fits_a_phone_in_both_languages(
    phone, login, personas, tree, people
):
    org = tree.station_a1
    newcomer = PersonFactory(
        name="周九",
        organization=org,
        membership_status="full",
        admitted_on=dt.date(2012, 7, 1),
        confirmed_on=dt.date(2013, 7, 1),
    )
    for person in (people.zhang_san, newcomer):
        services.committee_member_set(
            actor=personas.county, organization=org, person=person, position="secretary"
        )
    page = phone()
    login(page, personas.secretary_a)
    url = reverse("orgs:org_history", args=[org.pk])
    for language in LANGUAGES:
        choose_language(page, language)
        found = measure(page, url)
        assert page.get_by_test_id("history-kinds").is_visible()
        assert found["width"] <= found["vw"] + 1, (language, found)
