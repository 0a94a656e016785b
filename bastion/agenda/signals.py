"""The agenda follows edits made elsewhere at once, instead of waiting for the daily job.

A committee's term dates are edited in the organization app (its form, API and services):
when they change, the 换届 obligation is regenerated and the one it replaces removed
(``services.obligations.term_obligation_sync``). Bulk writes (the organizations import uses
``bulk_update``) announce themselves with ``organizations_bulk_updated`` (orgs' models); the
daily job brings anything else in line, leaving one obligation as well.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from bastion.orgs.models import Organization
from bastion.orgs.models.signals import organizations_bulk_updated

TERM_FIELDS = {"term_started_on", "term_ends_on"}


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

    today = timezone.localdate()
    for organization, fields in changes:
        if organization.is_active and TERM_FIELDS & fields:
            term_obligation_sync(organization, today)
