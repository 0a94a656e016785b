"""A bulletin whose generation died is failed (on reading its page, by the daily run), so its
status fragment stops polling and the page says to generate it again."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from bastion.core.daily import run_daily_jobs
from bastion.problems.models import Bulletin, BulletinStatus


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def stuck(tree, personas, *, minutes: int, status=BulletinStatus.RUNNING) -> Bulletin:
    bulletin = Bulletin.objects.create(
        organization=tree.company, quarter="2026Q3", created_by=personas.company, status=status
    )
    requested = timezone.now() - dt.timedelta(minutes=minutes)
    Bulletin.objects.filter(pk=bulletin.pk).update(created_at=requested, progress=30)
    return bulletin


def test_a_dead_generation_is_failed_when_its_page_is_read(client, tree, personas):
    bulletin = stuck(tree, personas, minutes=61)
    client.force_login(personas.company)
    page = client.get(reverse("problems:bulletin_detail", args=[bulletin.pk])).content.decode()
    bulletin.refresh_from_db()
    assert bulletin.status == BulletinStatus.FAILED and "请重新生成通报" in bulletin.error
    assert bulletin.error in page and "hx-get" not in page


def test_a_generation_still_in_its_time_keeps_polling(client, tree, personas):
    bulletin = stuck(tree, personas, minutes=2)
    client.force_login(personas.company)
    page = client.get(reverse("problems:bulletin_detail", args=[bulletin.pk])).content.decode()
    assert "hx-get" in page
    assert Bulletin.objects.get(pk=bulletin.pk).status == BulletinStatus.RUNNING


def test_the_daily_run_fails_queued_bulletins_no_worker_took(tree, personas):
    old = stuck(tree, personas, minutes=90, status=BulletinStatus.QUEUED)
    recent = stuck(tree, personas, minutes=5, status=BulletinStatus.QUEUED)
    report = run_daily_jobs(timezone.localdate())
    assert report["bastion.problems.services.bulletins.bulletins_expire"] == {"expired": 1}
    assert Bulletin.objects.get(pk=old.pk).status == BulletinStatus.FAILED
    assert Bulletin.objects.get(pk=recent.pk).status == BulletinStatus.QUEUED
