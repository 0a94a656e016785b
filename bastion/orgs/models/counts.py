"""Head counts per subtree: what the tree and the rosters read instead of counting every person
below a node.

One row per organization with the people and the party members (正式党员 and 预备党员) of its
whole subtree, its own people included. Kept in line by ``bastion.orgs.counts`` (a person saved
or deleted, a bulk import, a subtree moved) and rebuilt from scratch by the kernel's aggregate
registry (``manage.py rebuild_aggregates``). A missing row means zero.
"""

from django.db import models


class SubtreeCount(models.Model):
    organization = models.OneToOneField(
        "orgs.Organization",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="subtree_count",
    )
    people = models.IntegerField(default=0)
    members = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.organization_id}: {self.members} / {self.people}"
