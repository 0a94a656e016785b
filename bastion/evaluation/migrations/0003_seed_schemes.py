"""Seed the shipped evaluation data of the seed documents: the six 同业对标 indicators (S1), the
five-colour map bands, the points handbook (S1) and the shipped schemes (S0, S1, S3) with their
indicators, evaluator groups and title rules. All of it is data an administrator edits; the
rows themselves live in ``bastion.evaluation.seed_data``."""

from django.db import migrations

from bastion.evaluation import seed_data as data

SCHEME_FIELDS = ["code", "name", "description", "source", "target_kind", "period_kind", "style",
                 "full_score", "bonus_cap", "deduction_cap", "veto_cap", "missing_policy"]


def seed(apps, schema_editor):
    """Safe to run again (the browser tests re-run every seed after a flush): rows that exist
    are left as they are, so an administrator's edits survive."""
    BenchmarkIndicator = apps.get_model("evaluation", "BenchmarkIndicator")
    MapBand = apps.get_model("evaluation", "MapBand")
    PointsItem = apps.get_model("evaluation", "PointsItem")
    Scheme = apps.get_model("evaluation", "Scheme")
    for row in data.BENCHMARKS:
        BenchmarkIndicator.objects.get_or_create(code=row["code"], defaults=row)
    for row in data.MAP_BANDS:
        MapBand.objects.get_or_create(name=row["name"], source=row["source"], defaults=row)
    for row in data.POINTS_ITEMS:
        PointsItem.objects.get_or_create(code=row["code"], defaults=row)
    for spec in data.SCHEMES:
        if not Scheme.objects.filter(code=spec["code"]).exists():
            _scheme(apps, spec)


def _scheme(apps, spec):
    Scheme = apps.get_model("evaluation", "Scheme")
    EvaluatorGroup = apps.get_model("evaluation", "EvaluatorGroup")
    Indicator = apps.get_model("evaluation", "Indicator")
    TitleRule = apps.get_model("evaluation", "TitleRule")
    scheme = Scheme.objects.create(owner=None, **{f: spec[f] for f in SCHEME_FIELDS if f in spec})
    for kind, weight in spec["groups"]:
        EvaluatorGroup.objects.create(scheme=scheme, kind=kind, weight=weight)
    by_code = {}
    for order, row in enumerate(spec["indicators"], start=1):
        row = dict(row)
        parent_code = row.pop("parent", None)
        parent = by_code[parent_code] if parent_code else None
        by_code[row["code"]] = Indicator.objects.create(
            scheme=scheme, parent=parent, order=order, **row
        )
    for row in spec["titles"]:
        TitleRule.objects.create(scheme=scheme, **row)


def unseed(apps, schema_editor):
    """Delete what ``seed`` created (a scheme that rounds already used cannot go: PROTECT)."""
    Scheme = apps.get_model("evaluation", "Scheme")
    BenchmarkIndicator = apps.get_model("evaluation", "BenchmarkIndicator")
    MapBand = apps.get_model("evaluation", "MapBand")
    PointsItem = apps.get_model("evaluation", "PointsItem")
    Scheme.objects.filter(code__in=data.SCHEME_CODES, owner__isnull=True).delete()
    PointsItem.objects.filter(code__in=[row["code"] for row in data.POINTS_ITEMS]).delete()
    for row in data.MAP_BANDS:
        MapBand.objects.filter(name=row["name"], source=row["source"]).delete()
    BenchmarkIndicator.objects.filter(code__in=data.BENCHMARK_CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_role_permissions")]
    operations = [migrations.RunPython(seed, unseed)]
