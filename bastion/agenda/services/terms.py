"""Committee terms (换届): recording an election, which starts the next term, and term rules.

Decision: **the new term starts on the day the higher organization approves the result**
(上级批复之日), not on the election day: until then the election is not final and the old
committee remains responsible. The term ends ``years`` later, the day before the anniversary
(``periods.add_years``). The election day is what fulfils the old term's obligation.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.periods import add_years
from bastion.core.scope import allows, subtree_q
from bastion.core.services import service
from bastion.orgs import services as org_services
from bastion.orgs.models import CommitteeMember, Organization, Person
from bastion.orgs.models.organization import CommitteePosition, OrganizationKind
from bastion.orgs.models.person import MembershipStatus

from ..models import ElectedMember, Election, TermRule
from .obligations import refresh_election_obligations
from .rules import regenerate_from, require_root

MAX_TERM_YEARS = 10
MAX_REMIND_MONTHS = 24


def term_rule_for(kind: str, on: dt.date) -> TermRule | None:
    return (
        TermRule.objects.filter(org_kind=kind, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def term_dates(start: dt.date, years: int) -> tuple[dt.date, dt.date]:
    return start, add_years(start, years) - dt.timedelta(days=1)


# --- validation of an election -----------------------------------------------------------


def _date_errors(organization, held_on, approved_on, today, errors) -> None:
    if held_on is None:
        errors["held_on"] = _("请填写选举日期。")
    elif held_on > today:
        errors["held_on"] = _("选举日期不能晚于今天。")
    if approved_on is None:
        errors["approved_on"] = _("请填写上级批复日期。")
    elif approved_on > today:
        errors["approved_on"] = _("上级批复日期不能晚于今天；请在收到批复后再登记。")
    elif held_on and approved_on < held_on:
        errors["approved_on"] = _("上级批复日期（%(approved)s）不能早于选举日期（%(held)s）。") % {
            "approved": approved_on.isoformat(),
            "held": held_on.isoformat(),
        }
    if "held_on" in errors or held_on is None:
        return
    last = Election.objects.filter(organization=organization).order_by("-held_on").first()
    if last and held_on <= last.held_on:
        errors["held_on"] = _("本组织已登记 %(date)s 的换届选举，新的选举日期应晚于该日期。") % {
            "date": last.held_on.isoformat()
        }


def _years(organization, term_years, approved_on, errors) -> int | None:
    if term_years is not None:
        if not 1 <= term_years <= MAX_TERM_YEARS:
            errors["term_years"] = _("任期年限应为 1 到 %(max)s 年。") % {"max": MAX_TERM_YEARS}
            return None
        return term_years
    rule = term_rule_for(organization.kind, approved_on or timezone.localdate())
    if rule is None:
        errors["term_years"] = _("未找到“%(kind)s”的任期规则，请填写任期年限。") % {
            "kind": organization.get_kind_display()
        }
        return None
    return rule.years


def _elected_errors(organization, elected, errors) -> None:
    if not elected:
        errors["elected"] = _("请选择当选的委员（至少一名书记）。")
        return
    positions = [position for _person, position in elected]
    bad = [str(p) for p in positions if p not in CommitteePosition.values]
    if bad:
        errors["elected"] = _("职务无效：%(values)s。") % {"values": "、".join(bad)}
        return
    ids = [person.pk for person, _position in elected]
    if len(set(ids)) != len(ids):
        errors["elected"] = _("同一人不能重复当选。")
        return
    secretaries = positions.count(CommitteePosition.SECRETARY)
    if secretaries != 1:
        errors["elected"] = _("当选人员中应有且只有一名书记（现有 %(n)s 名）。") % {
            "n": secretaries
        }
        return
    eligible = set(
        Person.objects.filter(pk__in=ids, membership_status=MembershipStatus.FULL)
        .filter(subtree_q("organization__path", organization.path))
        .values_list("pk", flat=True)
    )
    outside = [person.name for person, _position in elected if person.pk not in eligible]
    if outside:
        errors["elected"] = _(
            "以下人员不是本组织（含下级组织）的正式党员，不能当选：%(names)s。"
            "预备党员没有选举权和被选举权。"
        ) % {"names": "、".join(outside)}


def _validate(organization, held_on, approved_on, term_years, elected, approval_ref) -> int:
    errors: dict[str, str] = {}
    if organization.kind == OrganizationKind.GROUP:
        errors[NON_FIELD_ERRORS] = _("党小组不设委员会，不进行换届选举。")
    elif not organization.is_active:
        errors[NON_FIELD_ERRORS] = _("该组织已撤销，不能登记换届选举。")
    _date_errors(organization, held_on, approved_on, timezone.localdate(), errors)
    years = _years(organization, term_years, approved_on, errors)
    _elected_errors(organization, elected, errors)
    if len(approval_ref or "") > 100:
        errors["approval_ref"] = _("批复文号不超过 100 个字符。")
    if errors:
        raise ValidationError(errors)
    return years


# --- services ----------------------------------------------------------------------------


def can_record_election(user, organization: Organization) -> bool:
    return allows(user, "agenda.add_election", organization)


def _replace_seats(actor, organization, elected, started_on) -> None:
    """The committee becomes the elected members, through the organization app's services."""
    keep = {person.pk for person, _position in elected}
    for seat in CommitteeMember.objects.filter(organization=organization).exclude(
        person_id__in=keep
    ):
        org_services.committee_member_remove(actor=actor, seat=seat)
    ordered = sorted(elected, key=lambda pair: pair[1] != CommitteePosition.SECRETARY)
    for person, position in ordered:
        org_services.committee_member_set(
            actor=actor,
            organization=organization,
            person=person,
            position=position,
            started_on=started_on,
        )


@service
def election_record(
    *,
    actor,
    organization: Organization,
    held_on: dt.date,
    approved_on: dt.date,
    approval_ref: str = "",
    term_years: int | None = None,
    elected=(),
    note: str = "",
) -> Election:
    """Record an approved election: it fulfils the open term obligation, starts the next term
    on ``approved_on``, and the elected members take the committee's seats."""
    if not can_record_election(actor, organization):
        raise PermissionDenied(_("您无权为该组织登记换届选举。"))
    elected = list(elected)
    years = _validate(organization, held_on, approved_on, term_years, elected, approval_ref)
    start, end = term_dates(approved_on, years)
    election = Election.objects.create(
        organization=organization,
        held_on=held_on,
        approved_on=approved_on,
        approval_ref=(approval_ref or "").strip(),
        term_years=years,
        term_starts_on=start,
        term_ends_on=end,
        note=note or "",
        recorded_by=actor,
    )
    ElectedMember.objects.bulk_create(
        ElectedMember(election=election, person=person, position=position)
        for person, position in elected
    )
    organization.term_started_on, organization.term_ends_on = start, end
    organization.save(update_fields=["term_started_on", "term_ends_on"])
    _replace_seats(actor, organization, elected, start)
    refresh_election_obligations(election)
    return election


def can_edit_term_rules(user) -> bool:
    from .rules import holds_at_root

    return holds_at_root(user, "agenda.change_termrule")


@service
def term_rule_revise(
    *,
    actor,
    org_kind: str,
    years: int,
    remind_months: int,
    effective_from: dt.date,
    source: str,
) -> TermRule:
    """A new version of a kind's term length and reminder, from ``effective_from`` (or an
    amendment of the newest version with that date). Obligations are re-dated from then."""
    require_root(
        actor,
        "agenda.change_termrule",
        _("只有公司党建工作部（在顶级组织任职的管理员）可以修改任期规则。"),
    )
    errors: dict[str, str] = {}
    if org_kind not in OrganizationKind.values or org_kind == OrganizationKind.GROUP:
        errors["org_kind"] = _("组织类型无效（党小组不设委员会）。")
    if years is None or not 1 <= years <= MAX_TERM_YEARS:
        errors["years"] = _("任期年限应为 1 到 %(max)s 年。") % {"max": MAX_TERM_YEARS}
    if remind_months is None or not 0 <= remind_months <= MAX_REMIND_MONTHS:
        errors["remind_months"] = _("提前提醒月数应为 0 到 %(max)s。") % {"max": MAX_REMIND_MONTHS}
    if not (source or "").strip():
        errors["source"] = _("请注明依据来源。")
    newest = TermRule.objects.filter(org_kind=org_kind).order_by("-effective_from").first()
    if effective_from is None:
        errors["effective_from"] = _("请填写生效日期。")
    elif newest and effective_from < newest.effective_from:
        errors["effective_from"] = _("生效日期不能早于当前最新版本的生效日期（%(date)s）。") % {
            "date": newest.effective_from.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    rule, _created = TermRule.objects.update_or_create(
        org_kind=org_kind,
        effective_from=effective_from,
        defaults={"years": years, "remind_months": remind_months, "source": source.strip()},
    )
    rule.regenerated = regenerate_from(effective_from)
    return rule
