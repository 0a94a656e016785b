"""Reads about accounts: who may be managed, who signed in when, what waits for an answer."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from bastion.core.models import SecurityEvent
from bastion.core.scope import grant, permission_name
from bastion.orgs.models import Person

from .models import (
    Account,
    AccountList,
    AccountPolicy,
    ActivationCode,
    HelpState,
    PasswordHelpRequest,
)


def person_by_employee_no(employee_no: str) -> Person | None:
    """The person a directory or identity-service sign-in names by 工号 (full-width digits and
    stray spaces forgiven); people who have left are not found."""
    normalised = unicodedata.normalize("NFKC", employee_no or "").strip()
    if not normalised:
        return None
    policy = AccountPolicy.current()
    people = Person.objects.exclude(status__in=policy.leaving_statuses).select_related(
        "user", "organization"
    )
    return (
        people.filter(employee_no=normalised).first()
        or people.filter(employee_no__iexact=normalised).first()
    )


def locked_usernames(usernames) -> set[str]:
    """Which of ``usernames`` django-axes holds locked right now. Axes keeps one attempt row per
    username, address and browser and locks on their sum, so the sum is what is compared."""
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(username__in=list(usernames))
    cooloff = settings.AXES_COOLOFF_TIME
    if cooloff:
        since = timezone.now() - timezone.timedelta(hours=float(cooloff))
        attempts = attempts.filter(attempt_time__gte=since)
    totals = attempts.values("username").annotate(failures=Sum("failures_since_start"))
    return {row["username"] for row in totals if row["failures"] >= settings.AXES_FAILURE_LIMIT}


def accounts_for(user, action: str = "view") -> QuerySet:
    """The accounts ``user`` may see (or change), each with its person and organization, and
    whether an activation code still waits to be used."""
    waiting = ActivationCode.objects.usable().filter(user=OuterRef("pk"))
    accounts = Account.objects.restrict(user, action)
    if not grant(user, permission_name(Account, action)).everywhere:
        # A scope reaches accounts only through their person; saying so lets the index of
        # the people with an account (orgs_person_account_idx) serve the count and the page.
        accounts = accounts.filter(person__user__isnull=False)
    return (
        accounts.with_person()
        .annotate(awaiting_activation=Exists(waiting))
        .order_by("person__organization__path", "person__name", "id")
    )


def people_without_account(queryset: QuerySet) -> QuerySet:
    return queryset.filter(user__isnull=True)


def recent_sign_ins(user, limit: int = 10) -> QuerySet:
    return SecurityEvent.objects.filter(user=user)[:limit]


def open_help_requests(user) -> QuerySet:
    return (
        PasswordHelpRequest.objects.permitted(user, "accounts.change_account")
        .filter(state=HelpState.OPEN)
        .select_related("person__organization", "user")
    )


def help_requests(user) -> QuerySet:
    return PasswordHelpRequest.objects.permitted(user, "accounts.change_account").select_related(
        "person__organization", "user", "answered_by"
    )


def pending_lists(user) -> QuerySet:
    """The 开户清单 this person opened and has not downloaded yet."""
    return AccountList.objects.filter(opened_by=user, downloaded_at__isnull=True).exclude(
        entries=[]
    )


def search(queryset: QuerySet, text: str) -> QuerySet:
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(username__icontains=text)
        | Q(person__name__icontains=text)
        | Q(person__employee_no__iexact=text)
        | Q(person__name_initials__startswith=text.lower())
    )
