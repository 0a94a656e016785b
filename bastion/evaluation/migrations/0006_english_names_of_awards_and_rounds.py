from django.db import migrations, models


def copy_rule_names(apps, schema_editor):
    """Awards given before titles carried English names take their rule's, where the rule still
    bears the name the award was given under (a renamed rule says nothing of the old title)."""
    TitleAward = apps.get_model("evaluation", "TitleAward")
    TitleRule = apps.get_model("evaluation", "TitleRule")
    english = {
        (rule.scheme_id, rule.code, rule.name): rule.name_en
        for rule in TitleRule.objects.exclude(name_en="")
    }
    changed = []
    for award in TitleAward.objects.filter(name_en="").only("scheme_id", "rule_code", "name"):
        name_en = english.get((award.scheme_id, award.rule_code, award.name))
        if name_en:
            award.name_en = name_en
            changed.append(award)
    TitleAward.objects.bulk_update(changed, ["name_en"], batch_size=1000)


def name_rounds(apps, schema_editor):
    """Rounds named after their scheme and period get the English name the same way."""
    Round = apps.get_model("evaluation", "Round")
    changed = []
    for round_ in Round.objects.filter(name_en="").exclude(scheme__name_en="").select_related(
        "scheme"
    ):
        if round_.name == f"{round_.scheme.name}（{round_.period_label}）":
            round_.name_en = f"{round_.scheme.name_en} ({round_.period_label})"
            changed.append(round_)
    Round.objects.bulk_update(changed, ["name_en"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0005_english_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="titleaward",
            name="name_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="英文名称"),
        ),
        migrations.AddField(
            model_name="round",
            name="name_en",
            field=models.CharField(blank=True, max_length=200, verbose_name="英文名称"),
        ),
        migrations.RunPython(copy_rule_names, migrations.RunPython.noop),
        migrations.RunPython(name_rounds, migrations.RunPython.noop),
    ]
