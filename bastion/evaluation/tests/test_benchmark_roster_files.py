"""同业对标 sheets as counties keep them (CSV, a title row, full-width numbers), and a preview
refused when someone changed a value it would overwrite."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from bastion.core.jobs import import_job_commit, import_job_create
from bastion.core.models import ImportJob
from bastion.evaluation.models import BenchmarkValue

from .helpers_benchmarks import MARCH, make_indicators, put

pytestmark = pytest.mark.django_db
SHEET = "2026年3月同业对标指标\n\n供电所代码,供电所,统计月份,测试电费回收,测试线损\n{rows}"


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def ind(db):
    return make_indicators()


def upload(rows: str, encoding="gbk") -> SimpleUploadedFile:
    return SimpleUploadedFile("对标.csv", SHEET.format(rows=rows).encode(encoding))


def test_a_csv_sheet_under_a_title_with_full_width_numbers_is_read(personas, tree, ind):
    job = import_job_create(
        actor=personas.county,
        kind="benchmarks",
        uploaded_file=upload("C-A-1,A1供电所,2026-03,９８．５,３．２％\n"),
    )
    assert job.status == ImportJob.Status.READY, job.errors
    job = import_job_commit(actor=personas.county, job=job)
    assert job.status == ImportJob.Status.DONE, job.errors
    values = BenchmarkValue.objects.filter(organization=tree.station_a1, month=MARCH)
    assert sorted(v.value for v in values) == [Decimal("3.2"), Decimal("98.5")]


def test_a_preview_is_refused_after_someone_changed_a_value_it_overwrites(personas, tree, ind):
    put(ind["t_fee"], tree.station_a1, 80)
    job = import_job_create(
        actor=personas.county,
        kind="benchmarks",
        uploaded_file=upload("C-A-1,A1供电所,2026-03,98.5,\n"),
    )
    assert job.status == ImportJob.Status.READY and job.summary["updated"] == 1
    put(ind["t_fee"], tree.station_a1, 81)  # someone else, after the preview
    job = import_job_commit(actor=personas.county, job=job)
    assert job.status == ImportJob.Status.INVALID
    assert job.errors[0]["message"].startswith("数据已变化，请重新校验")
    value = BenchmarkValue.objects.get(indicator=ind["t_fee"], organization=tree.station_a1)
    assert value.value == Decimal("81")
