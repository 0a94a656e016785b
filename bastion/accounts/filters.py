"""Filters shared by the account pages and the API: one definition, one behaviour.

``AccountFilter`` narrows the accounts a manager sees; ``people_to_open`` chooses the roster of a
批量开通 (one subtree, one 政治面貌). Organization parameters outside the requester's scope are
answered 404, as everywhere.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from bastion.core.filters import ScopedFilterSet, SwitchFilter, WithinFilter
from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.models.person import MembershipStatus

from . import selectors
from .models import Account, ActivationCode

OPEN_PERMISSION = "accounts.add_account"
SELECT = forms.Select(attrs={"class": "form-select"})


class ActiveFilter(SwitchFilter):
    """``is_active=1``: enabled accounts; ``0``: deactivated ones."""

    def condition(self) -> Q:
        return Q(is_active=True)


class AwaitingFilter(SwitchFilter):
    """``awaiting=1``: accounts whose activation code still waits to be used."""

    def condition(self):
        return Exists(ActivationCode.objects.usable().filter(user=OuterRef("pk")))


def _switch_widget(yes, no):
    return forms.Select(
        attrs={"class": "form-select"}, choices=[("", _("全部")), ("1", yes), ("0", no)]
    )


class AccountFilter(ScopedFilterSet):
    q = django_filters.CharFilter(label=_("姓名/拼音/工号/用户名"), method="filter_q")
    within = WithinFilter(label=_("所在组织（含下级）"), path_field="person__organization__path")
    is_active = ActiveFilter(label=_("账号状态"), widget=_switch_widget(_("启用"), _("停用")))
    awaiting = AwaitingFilter(
        label=_("激活情况"), widget=_switch_widget(_("待激活"), _("无待用激活码"))
    )

    class Meta:
        model = Account
        fields = ["q", "within", "is_active", "awaiting"]

    def filter_q(self, queryset, name, value):
        return selectors.search(queryset, value)


# --- 批量开通 -------------------------------------------------------------------------------------


PARTY = "party"
MEMBERSHIP_CHOICES = [
    (PARTY, _("党员（正式+预备）")),
    (MembershipStatus.FULL, MembershipStatus.FULL.label),
    (MembershipStatus.PROBATIONARY, MembershipStatus.PROBATIONARY.label),
    (MembershipStatus.NONE, MembershipStatus.NONE.label),
]


def membership_q(value: str) -> Q:
    """The people of one 政治面貌 choice; empty (全部) matches everyone."""
    if not value:
        return Q()
    if value == PARTY:
        return Q(membership_status__in=[MembershipStatus.FULL, MembershipStatus.PROBATIONARY])
    return Q(membership_status=value)


def people_to_open(queryset: QuerySet, organization, membership_status: str = "") -> QuerySet:
    """The roster of a bulk opening: people of ``organization``'s subtree with the chosen
    政治面貌, those who have an account too (the preview names them among the skipped, with the
    reason). The service still restricts it to the actor's scope."""
    return queryset.filter(
        subtree_q("organization__path", organization.path), membership_q(membership_status)
    )


def open_organizations(request):
    """Organizations the requester sees and may open accounts in."""
    if request is None:
        return Organization.objects.none()
    user = request.user
    return Organization.objects.restrict(user, "view").permitted(user, OPEN_PERMISSION)
