"""The benchmark's own machinery: the national tree's shape and how results files merge.

Not under ``testpaths`` (the bench is not the product): run with
``.venv/bin/python -m pytest -p no:xdist bench/tests -q``.
"""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest

from bench import dataset, run


def planned(size_name: str) -> list[dataset.Node]:
    size = dataset.SIZES[size_name]
    root = dataset.plan_tree(size, random.Random(f"bastion-bench-{size_name}"))
    dataset.assign_paths(root)
    return list(dataset.walk(root))


def test_national_is_ten_provinces_of_the_large_shape_one_level_deeper():
    national, large = planned("national"), planned("large")
    assert len(national) == 30_000
    assert len({n.code for n in national}) == len(national), "organization codes are unique"
    assert len({n.path for n in national}) == len(national)
    provinces = [n for n in national[0].children if n.kind == "committee"]
    assert len(provinces) == 10
    depth = max(len(n.path) for n in national) // 4
    assert depth == max(len(n.path) for n in large) // 4 + 1
    kinds = Counter(n.unit_kind for n in national if n.kind == "committee")
    assert kinds["county"] == 10 * sum(
        1 for n in large if n.unit_kind == "county" and n.kind == "committee"
    )


def test_national_regions_belong_to_each_province():
    national = planned("national")
    for province in national[0].children:
        if province.kind != "committee":
            continue
        assert all(c.region.startswith(province.code) for c in dataset.walk(province))


def test_large_keeps_its_province_root():
    large = planned("large")
    assert len(large) == 3_000
    assert large[0].name == "省电力有限公司党委" and large[0].code == "43"


@pytest.fixture
def results_file(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(run, "RESULTS", path)
    return path


def test_a_national_run_keeps_the_province_figures(results_file):
    results_file.write_text(json.dumps({"pages": ["province"], "floor": {"rps_8": 1}}))
    merged = run.merge_results(run.SCALES["national"], {"pages": ["national"]})
    assert merged == {
        "pages": ["province"],
        "floor": {"rps_8": 1},
        "national": {"pages": ["national"]},
    }


def test_a_province_run_keeps_the_national_section(results_file):
    results_file.write_text(json.dumps({"pages": ["old"], "national": {"pages": ["national"]}}))
    merged = run.merge_results(run.SCALES["province"], {"pages": ["new"]})
    assert merged == {"pages": ["new"], "national": {"pages": ["national"]}}


def test_without_a_results_file_a_run_writes_its_own_part(results_file):
    assert run.merge_results(run.SCALES["national"], {"pages": []}) == {"national": {"pages": []}}
