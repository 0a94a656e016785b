"""Seeded names in English: every shipped indicator, title, band, scheme, benchmark indicator and
handbook item has an English name; the English interface shows it, the Chinese one the Chinese
name; a round's snapshot keeps both; the scheme forms edit it."""

import importlib
import re

import pytest
from django.apps import apps as global_apps
from django.urls import reverse
from django.utils import timezone, translation

from bastion.core.local_names import local_name
from bastion.evaluation import seed_data, seed_data_en
from bastion.evaluation.models import (
    BenchmarkIndicator,
    Indicator,
    MapBand,
    PointsItem,
    Scheme,
    TitleRule,
)
from bastion.evaluation.selectors_schemes import scheme_snapshot

from .helpers_points import entry
from .test_scheme_edit import indicator_form, scheme_form

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
FILL = importlib.import_module("bastion.evaluation.migrations.0005_english_names").fill


def shipped_rows():
    schemes = Scheme.objects.filter(code__in=seed_data.SCHEME_CODES, owner__isnull=True)
    return [
        *BenchmarkIndicator.objects.filter(code__in=seed_data.BENCHMARK_CODES),
        *MapBand.objects.filter(name__in=seed_data_en.MAP_BANDS_EN),
        *PointsItem.objects.filter(code__in=seed_data_en.POINTS_ITEMS_EN),
        *schemes,
        *Indicator.objects.filter(scheme__in=schemes),
        *TitleRule.objects.filter(scheme__in=schemes),
    ]


def test_every_seeded_row_has_a_short_english_name():
    rows = shipped_rows()
    counts = (len(seed_data.BENCHMARKS), len(seed_data.MAP_BANDS), len(seed_data.POINTS_ITEMS))
    assert len(rows) > sum(counts) + len(seed_data.SCHEMES) * 3
    missing = [f"{type(row).__name__} {row.name}" for row in rows if not row.name_en]
    assert missing == []
    for row in rows:
        assert not CJK.search(row.name_en), row.name_en
        assert len(row.name_en) <= row._meta.get_field("name_en").max_length
        assert len(row.name_en) <= 60, row.name_en  # a label, not a sentence


def test_the_english_table_covers_every_seeded_code():
    for spec in seed_data.SCHEMES:
        english = seed_data_en.SCHEMES_EN[spec["code"]]
        assert set(english["indicators"]) == {row["code"] for row in spec["indicators"]}
        assert set(english["titles"]) == {row["code"] for row in spec["titles"]}
    assert set(seed_data_en.SCHEMES_EN) == set(seed_data.SCHEME_CODES)
    assert set(seed_data_en.BENCHMARKS_EN) == set(seed_data.BENCHMARK_CODES)
    assert set(seed_data_en.MAP_BANDS_EN) == {row["name"] for row in seed_data.MAP_BANDS}
    assert set(seed_data_en.POINTS_ITEMS_EN) == {row["code"] for row in seed_data.POINTS_ITEMS}


def test_the_fill_keeps_what_an_administrator_wrote_and_runs_again():
    guard = PointsItem.objects.get(code="safety_guard")
    renamed = PointsItem.objects.get(code="theme_day")
    guard.name_en = "Site guard (our wording)"
    guard.save()
    renamed.name, renamed.name_en = "主题党日（本公司）", ""
    renamed.save()
    FILL(global_apps, None)
    FILL(global_apps, None)
    guard.refresh_from_db()
    renamed.refresh_from_db()
    assert guard.name_en == "Site guard (our wording)"
    assert renamed.name_en == ""  # its Chinese name is no longer the shipped one


def test_local_name_follows_the_language_for_rows_and_snapshot_dicts():
    band = MapBand.objects.get(name="绿（标杆）")
    plain = {"name": "自定义", "name_en": ""}
    with translation.override("en"):
        assert local_name(band) == "Green (leading)"
        assert local_name({"name": "擂主", "name_en": "Champion"}) == "Champion"
        assert local_name(plain) == "自定义"  # no English name: the Chinese one
        assert local_name({"name": "旧快照"}) == "旧快照"  # snapshots from before English names
    with translation.override("zh-hans"):
        assert local_name(band) == "绿（标杆）"
    assert local_name(None) == ""


def test_the_round_snapshot_carries_english_names_whoever_opens_it():
    scheme = Scheme.objects.get(code="four_factor")
    with translation.override("en"):
        snapshot = scheme_snapshot(scheme)
    assert snapshot["name_en"] == "Party-building effectiveness (dual A)"
    items = {item["code"]: item for item in snapshot["indicators"]}
    assert items["fee_recovery"]["name_en"] == "Electricity bill recovery rate"
    titles = {title["code"]: title for title in snapshot["titles"]}
    assert titles["red_flag"]["name_en"] == "Rotating red flag"
    groups = {group["kind"]: group for group in snapshot["groups"]}
    assert groups["higher"]["name"] == "上级党组织"  # not frozen in the opener's language


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_the_scheme_page_shows_english_names_in_english_and_chinese_in_chinese(client, personas):
    scheme = Scheme.objects.get(code="four_factor")
    url = reverse("evaluation:scheme_detail", args=[scheme.pk])
    client.force_login(personas.company)
    chinese = client.get(url).content.decode()
    assert "流动红旗" in chinese and "电费回收率" in chinese
    english(client)
    page = client.get(url).content.decode()
    assert '<html lang="en">' in page
    for name in ("Party-building effectiveness (dual A)", "Rotating red flag", "Business A"):
        assert name in page
    assert "Electricity bill recovery rate" in page and "Safety bottom line" in page


def test_the_handbook_and_the_ledger_show_english_item_names(client, personas, people):
    entry(people.zhang_san, PointsItem.objects.get(code="safety_guard"), on=timezone.localdate())
    client.force_login(personas.secretary_a)
    english(client)
    for url in (reverse("evaluation:points_items"), reverse("evaluation:points_list")):
        page = client.get(url).content.decode()
        assert "On-site safety guard duty" in page and "现场安全监护（党建保安）" not in page


def test_the_scheme_forms_edit_the_english_names(client, personas):
    scheme = Scheme.objects.get(code="star_member")
    client.force_login(personas.company)
    url = reverse("evaluation:scheme_edit", args=[scheme.pk])
    assert 'name="name_en"' in client.get(url).content.decode()
    data = scheme_form(scheme, name_en="Star members", missing_policy=scheme.missing_policy)
    assert client.post(url, data).status_code == 302
    scheme.refresh_from_db()
    assert scheme.name_en == "Star members"
    add = reverse("evaluation:indicator_add", args=[scheme.pk])
    form = indicator_form(code="care", name="关爱群众", name_en="Caring for people", weight="5")
    assert client.post(add, form).status_code == 302
    assert scheme.indicators.get(code="care").name_en == "Caring for people"
