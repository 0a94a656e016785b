"""Journey 9 (issue 3): a red 支委会 on the secretary's board is recorded with attendance and a
photo, turns done-late on the annual map, is sent back by the county, fixed by the secretary,
and the county's roll-up follows every step."""

import datetime as dt
import struct
import zlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bastion.agenda.models import Meeting, Obligation
from bastion.agenda.services.obligations import generate_year

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def tiny_png() -> bytes:
    """A real 1×1 PNG: the upload check reads the content, not the name."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def red_counts(page, org_pk: int) -> tuple[str, str]:
    row = page.locator(f'[data-testid="rollup-row"][data-org="{org_pk}"]')
    return (
        row.locator('[data-level="red"]').inner_text(),
        row.locator('[data-level="late"]').inner_text(),
    )


def test_a_red_committee_meeting_is_recorded_returned_fixed_and_rolled_up(
    page, login, personas, people, tree
):
    today = timezone.localdate()
    month = last_month(today)
    for year in sorted({month.year, today.year}):
        generate_year(year)
    obligation = Obligation.objects.get(
        organization=tree.station_a1, kind="committee", period_start=month
    )

    # The county sees station A1 with red items in its roll-up.
    login(page, personas.county)
    page.goto(f"/agenda/rollup/?org={tree.county_a.pk}&period=year&year={month.year}")
    red_before, late_before = red_counts(page, tree.station_a1.pk)
    page.context.clear_cookies()

    # The secretary opens the board: last month's 支委会 is a red alarm.
    login(page, personas.secretary_a)
    page.goto(f"/agenda/board/?org={tree.station_a1.pk}")
    red = page.locator('[data-testid="board-red"] [data-testid="board-item"]', has_text="支委会")
    expect(red.filter(has_text=obligation.period_label).first).to_be_visible()
    red.filter(has_text=obligation.period_label).first.get_by_test_id("item-action").click()

    # Record it: today's date, everyone present, a photo.
    page.get_by_label("主题").fill("补开上月支委会：研究安全生产重点任务")
    page.get_by_label("召开日期").fill(today.isoformat())
    page.locator('input[type="file"]').set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": tiny_png()}]
    )
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("待审核")
    meeting = Meeting.objects.get(organization=tree.station_a1, topic__startswith="补开上月")
    assert meeting.attachments.count() == 1
    assert meeting.attendance.filter(person=people.zhang_san, status="present").exists()

    # On the annual map the cell of that month is now done late.
    page.goto(f"/agenda/map/?org={tree.station_a1.pk}&year={month.year}")
    cell = page.locator(
        f'[data-testid="map-row"][data-code="committee"] [data-testid="map-cell"]'
        f'[data-month="{month.month}"] [data-colour]'
    )
    expect(cell).to_have_attribute("data-colour", "late")
    page.context.clear_cookies()

    # The county sees one red fewer and one late more, then sends the record back.
    login(page, personas.county)
    page.goto(f"/agenda/rollup/?org={tree.county_a.pk}&period=year&year={month.year}")
    assert red_counts(page, tree.station_a1.pk) == (
        str(int(red_before) - 1),
        str(int(late_before) + 1),
    )
    page.goto(f"/agenda/meetings/{meeting.pk}/")
    review = page.get_by_test_id("review-box")
    review.get_by_label("退回").check()
    review.get_by_label("审核意见").fill("缺少签到表，请补充")
    review.get_by_role("button", name="提交审核结论").click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("已退回")
    page.goto(f"/agenda/rollup/?org={tree.county_a.pk}&period=year&year={month.year}")
    assert red_counts(page, tree.station_a1.pk) == (red_before, late_before)
    page.context.clear_cookies()

    # The secretary reads why, fixes the record and submits it again.
    login(page, personas.secretary_a)
    page.goto(f"/agenda/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("returned-note").first).to_contain_text("缺少签到表")
    page.goto(f"/agenda/meetings/{meeting.pk}/edit/")
    page.get_by_label("会议记录").fill("补充签到表：全体党员出席。")
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.get_by_test_id("meeting-status")).to_contain_text("待审核")
    page.context.clear_cookies()

    login(page, personas.county)
    page.goto(f"/agenda/rollup/?org={tree.county_a.pk}&period=year&year={month.year}")
    assert red_counts(page, tree.station_a1.pk) == (
        str(int(red_before) - 1),
        str(int(late_before) + 1),
    )
