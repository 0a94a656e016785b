"""One full 四级贯通 cascade for the demo (S4): 党委管总命题 → 专业主谋解题 → 战区主建应题 →
支部主战答题, ending at the demo secretary's branch."""

from __future__ import annotations

import datetime as dt

from .models import CascadeItem


def build_cascade(ctx, company) -> CascadeItem:
    """Returns the demo county's task sheet, which a county task points to."""
    today, user = ctx.today, company.users["company"]
    year_end = dt.date(today.year, 12, 31)

    def item(level, parent, org, title, **fields):
        root = parent.root if parent and parent.root_id else parent
        return CascadeItem.objects.create(
            level=level,
            parent=parent,
            root=root,
            organization=org,
            title=title,
            created_by=user,
            **fields,
        )

    objective = item(
        "objective",
        None,
        company.root,
        "攻坚目标：供电可靠性提升到99.96%，台区线损率降至5%以内",
        description="公司党委“党建+”攻坚目标清单第1项：以党建引领破解配网运维难题。",
        deadline=year_end,
        status="in_progress",
    )
    book = item(
        "task_book",
        objective,
        company.hq_branches[0],
        "“党建+”配网可靠性提升工程任务书",
        description="专业部门党支部主谋解题：明确技术路线、考核指标与支撑措施。",
        goal="城区户均停电时间同比下降20%",
        deadline=year_end,
        status="in_progress",
    )
    county = company.demo_county
    sheet = item(
        "task_sheet",
        book,
        county,
        f"{county.short_name or county.name}“党建+”台区线损治理任务单",
        direction="台区线损精益治理",
        goal="高损台区数量减少一半，线损率降至5%以内",
        people="县公司党委书记牵头，各供电所所长、台区经理",
        measures="党员责任区包干高损台区；每月线损分析会；党员突击队开展反窃电专项行动",
        deadline=year_end - dt.timedelta(days=31),
        responsibility="县公司党委",
        status="in_progress",
    )
    plan_title = "大坪供电所支部行动方案：网格巡视+党员责任区"
    item(
        "action_plan",
        sheet,
        company.secretary_branch,
        plan_title,
        measures="5名党员各包1个高损台区，每周巡视一次；主题党日通报线损进展。",
        deadline=today + dt.timedelta(days=30),
        status="in_progress",
        progress_note="已完成3个台区的计量改造，线损率由7.8%降至5.6%。",
    )
    mine = company.secretary_branch.pk
    others = [s for s in company.station_branches if s.path.startswith(county.path)]
    others = [s for s in others if s.pk != mine][:2]
    for index, station in enumerate(others):
        item(
            "action_plan",
            sheet,
            station,
            f"{station.name}行动方案：高损台区逐户排查",
            measures="党员带头逐户核查计量装置，建立问题台账。",
            deadline=today - dt.timedelta(days=5),
            status="done" if index == 0 else "in_progress",
        )
    return sheet
