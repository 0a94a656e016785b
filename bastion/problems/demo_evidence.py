"""The demo's rectification evidence (整改佐证): 提交验收 asks for a file, and 验收通过 and 销号
need one on file, so every step of a demo problem's history that submitted it for verification
carries its own one-page PDF 整改报告 (a resubmission after 验收不通过 brings a new one, as the
service demands). A rejected problem keeps the report that was rejected.

The report names the organization, the problem, the measures taken and the date; it is a
one-page PDF of about two kilobytes written by ``bastion.core.demo_pdf``.
"""

from __future__ import annotations

from django.utils import timezone

from bastion.core.demo_pdf import save_demo_file, sheet_pdf

from .models import Problem, ProblemEvent, ProblemEvidence, State

WIDTH = 38  # characters a line: the page holds about 43 at 11 points


def attach_reports(problems: list[Problem], events: list[ProblemEvent]) -> int:
    """One report per 提交验收 event of ``problems`` (saved rows with their ``at``).

    Returns the number of files written."""
    by_id = {problem.pk: problem for problem in problems}
    rows = []
    for event in events:
        if event.to_state != State.SUBMITTED:
            continue
        problem = by_id[event.problem_id]
        body = report_pdf(problem, event)
        day = timezone.localtime(event.at)
        row = ProblemEvidence(
            problem=problem,
            event=event,
            original_name=f"整改报告-{problem.organization.name}-{day:%Y%m%d}.pdf",
            size=len(body),
        )
        row.file.name = save_demo_file(f"problems/{problem.pk}/demo-report-{event.pk}.pdf", body)
        rows.append(row)
    ProblemEvidence.objects.bulk_create(rows, batch_size=500)
    for row in rows:  # uploaded when it was submitted, not when the demo was built
        row.uploaded_at = row.event.at
    ProblemEvidence.objects.bulk_update(rows, ["uploaded_at"], batch_size=500)
    return len(rows)


def report_pdf(problem: Problem, event: ProblemEvent) -> bytes:
    """The 整改报告 of one submission."""
    lines = [
        f"单位：{problem.organization.name}",
        f"发现日期：{problem.found_on:%Y-%m-%d}    整改期限：{problem.deadline:%Y-%m-%d}",
        f"提交日期：{timezone.localtime(event.at):%Y-%m-%d}",
        "",
        "问题描述：",
        *_wrap(problem.description),
        "",
        "整改措施及完成情况：",
        *_wrap(problem.measures or "已按要求完成整改。"),
        *_wrap(event.reason),
        "",
        "附：整改前后现场照片、相关台账记录已存档备查。",
    ]
    return sheet_pdf(title="问题整改报告", facts=lines)


def _wrap(text: str) -> list[str]:
    text = " ".join((text or "").split())
    return [text[i : i + WIDTH] for i in range(0, len(text), WIDTH)]
