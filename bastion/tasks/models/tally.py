"""What one task's recipients add up to inside each organization's subtree (一键统计 figures).

The progress page, its counts and its API read one row per organization shown instead of
counting every recipient below it: a task sheet dispatched to 3,000 organizations costs the
same to open as one sent to five. ``services.tally`` keeps the rows in step with every write of
the task services and rebuilds them from the assignments (``manage.py rebuild_aggregates``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskTally(models.Model):
    """One task over one subtree: ``figures`` holds ``total``, a count per state, ``late``
    (answered after the due date), and per totalled feedback field ``f<id>:n`` (answers given),
    ``f<id>:sum`` (a number field's sum, as exact decimal text) or ``f<id>:c:<choice>`` (how
    many chose it). Only answers that count as given (已反馈, 已采纳) enter the field figures."""

    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="tallies", verbose_name=_("工作单")
    )
    # The subtree's root, by materialized path (Organization.path): the children of a node are
    # one range of the (task, node_path) index at the next depth.
    node_path = models.CharField(_("组织路径"), max_length=255)
    depth = models.PositiveSmallIntegerField(_("层级"))
    figures = models.JSONField(_("统计数"), default=dict)

    class Meta:
        verbose_name = _("工作单统计")
        verbose_name_plural = _("工作单统计")
        constraints = [
            models.UniqueConstraint(fields=["task", "node_path"], name="task_tally_once"),
        ]
        # A node's children: one tight range (task, depth + 1, path prefix) at any tree size.
        indexes = [models.Index(fields=["task", "depth", "node_path"], name="task_tally_children")]

    def __str__(self):
        return f"{self.task_id} {self.node_path}"
