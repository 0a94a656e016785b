"""The tasks app follows moves made in the organization app.

A task's progress tally (services/tally.py) is keyed by the paths of the subtrees its
recipients lie in; when a subtree moves (``organization_moved``, sent inside the move's
transaction) every task with a recipient in it is recounted, so its figures follow the new
ancestry at once instead of waiting for ``rebuild_aggregates``.
"""

from __future__ import annotations

from django.dispatch import receiver

from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization
from bastion.orgs.models.signals import organization_moved


@receiver(organization_moved, dispatch_uid="tasks_tallies_moved")
def tallies_follow_move(sender, organization: Organization, old_parent, **kwargs):
    from .models import Assignment
    from .services.tally import task_tallies_rebuild

    organization.refresh_from_db(fields=["path"])
    moved = Assignment.objects.filter(subtree_q("organization__path", organization.path))
    task_ids = set(moved.order_by().values_list("task_id", flat=True).distinct())
    if task_ids:
        task_tallies_rebuild(task_ids)
