"""A person who leaves (转出, 离职, 死亡 …) loses their account the moment their record says so."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from bastion.orgs.models import Person


@receiver(post_save, sender=Person, dispatch_uid="accounts_close_for_leaver")
def close_account_of_leaver(sender, instance: Person, **kwargs):
    if not instance.user_id or instance.status == "active":
        return
    from .services import accounts_close_for_leavers

    # After the person's own write commits: the deactivation is its own step in the audit.
    transaction.on_commit(lambda: accounts_close_for_leavers(person_ids=[instance.pk]))
