"""Calendar rules can fall due on a solar term; the seeded calendar spreads the year over the
twenty-four solar terms (S4, 《党建工作二十四节气表》, "一表观全年") instead of every month's end.

The seeded versions are moved only where nobody has edited them (still due at the month's end):
主题党日 by each month's 节, 支委会 and 党小组会 by its 中气, 支部党员大会 by the 节 of the
quarter's last month (惊蛰, 芒种, 白露, 大雪), 党课 by its 中气 (春分, 夏至, 秋分, 冬至), 组织生活会
by 大雪 and 民主评议党员 after it by 冬至. 党费 stays due at the month's end, the day the dues
ledger judges a month paid on time. Open obligations are re-dated by the next generation.
"""

import datetime as dt

from django.db import migrations, models

SEEDED = dt.date(2020, 1, 1)
FIRST, SECOND = 1, 2
# code: (seeded due_month, new due_month, due_term)
SOLAR_TERM_PLAN = {
    "theme-day": (0, 0, FIRST),
    "committee": (0, 0, SECOND),
    "group-meeting": (0, 0, SECOND),
    "branch-assembly": (0, 0, FIRST),
    "lecture": (0, 0, SECOND),
    "annual-review": (12, 12, FIRST),
    "member-appraisal": (12, 12, SECOND),
}
NOTE = "按二十四节气表排定（S4：编制《党建工作二十四节气表》，一表观全年）。"


def spread_over_solar_terms(apps, schema_editor):
    CalendarRule = apps.get_model("agenda", "CalendarRule")
    for code, (seeded_month, month, term) in SOLAR_TERM_PLAN.items():
        untouched = CalendarRule.objects.filter(
            code=code, effective_from=SEEDED, due_day=0, due_term=0, due_month=seeded_month
        )
        for rule in untouched:
            rule.due_month, rule.due_term = month, term
            if NOTE not in rule.description:
                rule.description = f"{rule.description}\n{NOTE}".strip()
            rule.save(update_fields=["due_month", "due_term", "description"])


def back_to_month_ends(apps, schema_editor):
    CalendarRule = apps.get_model("agenda", "CalendarRule")
    for code, (seeded_month, _month, term) in SOLAR_TERM_PLAN.items():
        CalendarRule.objects.filter(code=code, effective_from=SEEDED, due_term=term).update(
            due_month=seeded_month, due_term=0
        )


class Migration(migrations.Migration):
    dependencies = [("agenda", "0011_duesprofile_starts_on")]

    operations = [
        migrations.AddField(
            model_name="calendarrule",
            name="due_term",
            field=models.PositiveSmallIntegerField(
                choices=[
                    (0, "按截止日"),
                    (1, "当月第一个节气（节）"),
                    (2, "当月第二个节气（中气）"),
                ],
                default=0,
                help_text="按二十四节气排定时，截止于当月的哪个节气（此时不看截止日）。",
                verbose_name="截止节气",
            ),
        ),
        migrations.RunPython(spread_over_solar_terms, back_to_month_ends),
    ]
