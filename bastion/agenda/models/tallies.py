"""Obligation tallies: the counts the roll-up (统计汇总) reads instead of every obligation below.

One row per organization and *deadline key* — the item kind and the three dates an alert colour
is computed from (``due_on``, ``green_from``, ``yellow_from``) — with the count of open, on-time
and late obligations: the organization's own (``own_*``) and its whole subtree's (``sub_*``, own
included). Colours are not stored (they change with today's date): a reader derives them from
the key's dates. Obligations of a dissolved organization (``is_active`` false) are not counted,
as the roll-up never counted them. Every organization of a year shares a few dozen keys, so a
roll-up reads (children × keys) rows at any depth and for any size of tree.

Kept in line by ``services.tallies`` (every write to obligations marks its organizations; the
organization signals follow dissolutions, moves and deletions) and rebuilt from scratch by the
kernel's aggregate registry (``manage.py rebuild_aggregates``).
"""

from django.db import models


class ObligationTally(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20)
    due_on = models.DateField()
    green_from = models.DateField()
    yellow_from = models.DateField()
    own_open = models.IntegerField(default=0)
    own_done = models.IntegerField(default=0)  # fulfilled on or before the due date
    own_late = models.IntegerField(default=0)
    sub_open = models.IntegerField(default=0)
    sub_done = models.IntegerField(default=0)
    sub_late = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # organization first, then due_on: a period is a due_on range per organization.
            models.UniqueConstraint(
                fields=["organization", "due_on", "kind", "green_from", "yellow_from"],
                name="obligation_tally_key",
            ),
        ]

    def __str__(self):
        return f"{self.organization_id} {self.kind} {self.due_on}"
