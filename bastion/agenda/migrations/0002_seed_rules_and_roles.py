"""Seed the calendar, dues brackets and term lengths of DOMAIN.md "Rules", with their sources,
and give the roles of the foundation their agenda permissions. All of it is data to edit."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

from bastion.core.roles import add_role_permissions, remove_app_permissions

EFFECTIVE = dt.date(2020, 1, 1)
BRANCHES = ["branch", "temporary_branch", "general_branch"]
SRC_RULES = "《中国共产党支部工作条例（试行）》（第三方整理）；DOMAIN.md 规则"
SRC_S4 = "S4 福州 新时代红色堡垒工程：二十四节气表、绿色通知/黄色提醒/红色告警"
SRC_S0 = "S0 茂名：每月固定主题党日，分享安全案例"
SRC_DUES = "《关于中国共产党党费收缴、使用和管理的规定》（第三方整理）；DOMAIN.md 规则"
SRC_TERMS = "《中国共产党基层组织选举工作条例》（第三方整理）；DOMAIN.md 规则"

# code, name, kind, applies, recurrence, due_month, green, yellow, quorum, evidence, source
RULES = [
    ("branch-assembly", "支部党员大会", "branch_assembly", BRANCHES, "quarterly", 0, 30, 10,
     Decimal("0.50"), ["会议记录", "签到表", "照片"], SRC_RULES),
    ("committee", "支委会", "committee", BRANCHES, "monthly", 0, 10, 5, None,
     ["会议记录", "签到表"], SRC_RULES),
    ("group-meeting", "党小组会", "group", ["group"], "monthly", 0, 10, 5, None,
     ["会议记录", "签到表"], SRC_RULES),
    ("lecture", "党课", "lecture", BRANCHES, "quarterly", 0, 30, 10, None,
     ["讲稿或课件", "签到表", "照片"], SRC_RULES),
    ("theme-day", "主题党日", "theme_day", BRANCHES, "monthly", 0, 10, 5, None,
     ["活动记录", "照片", "安全案例"], SRC_S0),
    ("annual-review", "组织生活会", "annual_review", BRANCHES, "yearly", 12, 90, 30, None,
     ["会议记录", "对照检查材料", "照片"], SRC_RULES),
    ("member-appraisal", "民主评议党员", "member_appraisal", BRANCHES, "yearly", 12, 90, 30,
     None, ["评议结果", "测评表"], SRC_RULES),
    ("dues", "党费收缴", "dues", BRANCHES, "monthly", 0, 10, 5, None, ["缴费台账"], SRC_DUES),
    ("election", "支部换届", "election", ["committee", "general_branch", "branch"], "per_term",
     0, 270, 183, None, ["选举结果", "上级批复"], SRC_S4),
]

# category, lower (exclusive), upper (inclusive), rate %, fixed amount
BRACKETS = [
    ("employed", "0", "3000", "0.5", None),
    ("employed", "3000", "5000", "1", None),
    ("employed", "5000", "10000", "1.5", None),
    ("employed", "10000", None, "2", None),
    ("retired", "0", "5000", "0.5", None),
    ("retired", "5000", None, "1", None),
    ("fixed", "0", None, None, "0.20"),
]

TERMS = [("committee", 5), ("general_branch", 3), ("branch", 3)]

VIEW = ["agenda.view_obligation", "agenda.view_meeting", "agenda.view_election"]
RECORD = [
    "agenda.export_obligation", "agenda.add_meeting", "agenda.change_meeting",
    "agenda.delete_meeting", "agenda.view_duesprofile", "agenda.add_duesprofile",
    "agenda.change_duesprofile", "agenda.view_duespayment", "agenda.add_duespayment",
    "agenda.change_duespayment", "agenda.delete_duespayment", "agenda.import_duespayment",
    "agenda.add_election",
]
SUPERVISE = ["agenda.review_meeting"]
CONFIGURE = [
    "agenda.change_calendarrule", "agenda.change_duesbracket", "agenda.change_termrule",
    "agenda.add_guidepage", "agenda.change_guidepage", "agenda.generate_obligation",
]
ROLE_PERMISSIONS = {
    "party_department": VIEW + RECORD + SUPERVISE + CONFIGURE,
    "county_committee": VIEW + RECORD + SUPERVISE,
    "branch_secretary": VIEW + RECORD,
    "member": ["agenda.view_obligation", "agenda.view_meeting"],
    "discipline": VIEW,
    "first_secretary": VIEW + ["agenda.view_duespayment"],
    "inspector": VIEW,
}


def seed(apps, schema_editor):
    CalendarRule = apps.get_model("agenda", "CalendarRule")
    for order, (code, name, kind, applies, recurrence, due_month, green, yellow, quorum,
                evidence, source) in enumerate(RULES):  # fmt: skip
        CalendarRule.objects.update_or_create(
            code=code,
            effective_from=EFFECTIVE,
            defaults=dict(
                name=name, kind=kind, applies_kinds=applies, recurrence=recurrence,
                due_month=due_month, due_day=0, green_days=green, yellow_days=yellow,
                quorum_ratio=quorum, evidence_required=evidence, source=source,
                sort_order=(order + 1) * 10,
            ),
        )  # fmt: skip
    DuesBracket = apps.get_model("agenda", "DuesBracket")
    for category, lower, upper, rate, fixed in BRACKETS:
        DuesBracket.objects.get_or_create(
            category=category, lower=Decimal(lower), effective_from=EFFECTIVE,
            defaults=dict(
                upper=Decimal(upper) if upper else None, rate=Decimal(rate) if rate else None,
                fixed_amount=Decimal(fixed) if fixed else None, source=SRC_DUES,
            ),
        )  # fmt: skip
    TermRule = apps.get_model("agenda", "TermRule")
    for kind, years in TERMS:
        TermRule.objects.get_or_create(
            org_kind=kind, effective_from=EFFECTIVE,
            defaults=dict(years=years, remind_months=6, source=SRC_TERMS),
        )  # fmt: skip
    add_role_permissions(apps, ROLE_PERMISSIONS)


def unseed_roles(apps, schema_editor):
    remove_app_permissions(apps, "agenda.")


class Migration(migrations.Migration):
    dependencies = [("agenda", "0001_initial"), ("orgs", "0002_default_roles")]
    operations = [migrations.RunPython(seed, unseed_roles)]
