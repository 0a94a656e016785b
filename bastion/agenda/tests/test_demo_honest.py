"""An honest demo (issue 13): nothing the demo says has happened lies in the future of the day
it was built. Deadlines, due dates, plans and windows of work still to come may."""

import datetime as dt

from django.apps import apps
from django.db import models
from django.db.models import Max
from django.utils import timezone

# Dates and times that name what is planned or still to come, by model label and field.
FUTURE_MAY_BE = {
    "core.ApiToken": {"expires_at"},
    "accounts.ActivationCode": {"expires_at"},
    # rules and versions taking effect
    "core.Threshold": {"effective_from"},
    "agenda.DuesBracket": {"effective_from"},
    "agenda.CalendarRule": {"effective_from", "due_on"},
    "agenda.TermRule": {"effective_from"},
    "accounts.AccountPolicy": {"effective_from"},
    # terms that run on, work planned for the year, deadlines and windows
    "orgs.Organization": {"term_ends_on"},
    "agenda.Election": {"term_ends_on"},
    "agenda.Obligation": {"period_start", "period_end", "due_on", "green_from", "yellow_from"},
    "agenda.ObligationTally": {"due_on", "green_from", "yellow_from"},  # the same deadlines
    "agenda.DuesPayment": {"month"},  # a month paid ahead (paid_on is in the past)
    "agenda.DuesProfile": {"starts_on"},
    "tasks.CascadeItem": {"deadline"},
    "tasks.Task": {"due_on"},
    "problems.Problem": {"deadline"},
    "evaluation.Round": {"period_start", "period_end", "opens_on", "closes_on", "appeal_until"},
}


def past_event_fields():
    """(model, field) for every date or time of the project's models that records something
    that happened: created, submitted, paid, held, scored, read, awarded …"""
    for model in apps.get_models():
        if not model.__module__.startswith("bastion."):
            continue
        allowed = FUTURE_MAY_BE.get(model._meta.label, set())
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and field.name not in allowed:
                yield model, field


def test_nothing_in_the_demo_happened_after_the_day_it_was_built(demo):
    now, today = timezone.now(), timezone.localdate()
    checked, future = 0, []
    for model, field in past_event_fields():
        latest = model._default_manager.aggregate(latest=Max(field.name))["latest"]
        if latest is None:
            continue
        checked += 1
        limit = now if isinstance(field, models.DateTimeField) else today
        if isinstance(latest, dt.datetime) and timezone.is_naive(latest):
            latest = timezone.make_aware(latest)
        if latest > limit:
            future.append(f"{model._meta.label}.{field.name} = {latest}")
    assert checked > 40  # the demo fills the dates of every module
    assert not future, "demo dates in the future of " + str(today) + ": " + "; ".join(future)
