"""The agenda follows edits made elsewhere at once, instead of waiting for the daily job.

A committee's term dates are edited in the organization app (its form, API and services):
when they change, the 换届 obligation is regenerated and the one it replaces removed
(``services.obligations.term_obligation_sync``). Bulk writes (the organizations import uses
``bulk_update``) announce themselves with ``organizations_bulk_updated`` (orgs' models); the
daily job brings anything else in line, leaving one obligation as well.

The roll-up's tallies (models/tallies.py) follow the organization too: a dissolution or
reactivation (``is_active``) recounts its own obligations up its ancestry, a deletion takes them
off first, and a move (``organization_moved``) carries its subtree's counts to the new ancestry.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from bastion.orgs.models import Organization
from bastion.orgs.models.signals import organization_moved, organizations_bulk_updated

TERM_FIELDS = {"term_started_on", "term_ends_on"}


@receiver(post_save, sender=Organization, dispatch_uid="agenda_tallies_active")
def activity_edited(sender, instance: Organization, created: bool, update_fields=None, **kwargs):
    """A dissolved organization's obligations leave the roll-up (and come back with it)."""
    if kwargs.get("raw") or created:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    from .services.tallies import tallies_refresh

    tallies_refresh({instance.pk})


@receiver(pre_delete, sender=Organization, dispatch_uid="agenda_tallies_deleted")
def organization_deleted(sender, instance: Organization, **kwargs):
    from .services.tallies import tallies_refresh

    tallies_refresh({instance.pk}, gone={instance.pk})


@receiver(organization_moved, dispatch_uid="agenda_tallies_moved")
def organization_moved_away(sender, organization: Organization, old_parent, **kwargs):
    from .services.tallies import tallies_shift

    if old_parent is not None:
        tallies_shift(organization, old_parent=old_parent)


@receiver(post_save, sender=Organization, dispatch_uid="agenda_term_obligation_sync")
def term_edited(sender, instance: Organization, created: bool, update_fields=None, raw=False, **kw):
    if raw or created or not instance.is_active:
        return
    if update_fields is not None and not TERM_FIELDS & set(update_fields):
        return
    from .services.obligations import term_obligation_sync

    term_obligation_sync(instance, timezone.localdate())


@receiver(organizations_bulk_updated, dispatch_uid="agenda_term_obligation_sync_bulk")
def terms_imported(sender, changes, **kwargs):
    from .services.obligations import term_obligation_sync
    from .services.tallies import tallies_mark

    today = timezone.localdate()
    for organization, fields in changes:
        if organization.is_active and TERM_FIELDS & fields:
            term_obligation_sync(organization, today)
    tallies_mark({organization.pk for organization, fields in changes if "is_active" in fields})
