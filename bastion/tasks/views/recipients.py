"""The recipient picker shared by dispatch and pass-down: candidates to tick, and the preview
(how many organizations will receive the task) shown before the person confirms.

A few queries whatever the tree's size: the candidate list is capped, the preview counts in
the database and shows a short sample.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from bastion.core.scope import subtree_q
from bastion.orgs.models import Organization

from ..models import Assignment
from ..services.flow import recipients_query

HAND_LIMIT = 200
SAMPLE = 30


def _assigned(task):
    if task is None or not task.pk:
        return None
    return Exists(Assignment.objects.filter(task=task, organization=OuterRef("pk")))


def candidates(form, task) -> dict:
    """Organizations to tick by hand: inside the chosen subtree, matching the search."""
    criteria = form.criteria()
    rows = recipients_query(issuer=form.issuer, **criteria)
    q = form.cleaned_data.get("q")
    if q:
        rows = rows.filter(Q(name__icontains=q) | Q(code__icontains=q))
    assigned = _assigned(task)
    if assigned is not None:
        rows = rows.annotate(assigned=assigned)
    rows = list(rows.order_by("path")[: HAND_LIMIT + 1])
    return {"rows": rows[:HAND_LIMIT], "truncated": len(rows) > HAND_LIMIT, "limit": HAND_LIMIT}


def chosen(form):
    """What the form names: a queryset (by range) or a list of ids (by hand)."""
    if form.hand:
        return form.cleaned_data.get("ids") or []
    return recipients_query(issuer=form.issuer, **form.criteria())


def preview(form, task) -> dict:
    """How many organizations the dispatch will add, how many already have it, a sample."""
    issuer = form.issuer
    warnings = []
    if form.hand:
        ids = form.cleaned_data.get("ids") or []
        rows = recipients_query(issuer=issuer, ids=ids)
        inside = (
            Organization.objects.filter(subtree_q("path", issuer.path), pk__in=ids)
            .exclude(pk=issuer.pk)
            .values_list("is_active", flat=True)
        )
        inside = list(inside)
        if len(inside) < len(ids):
            form.add_error("ids", _("有所选组织不在派发组织的下级范围内，请重新选择。"))
        inactive = inside.count(False)
        if inactive:
            warnings.append(_("%(n)s 个所选组织已停用，将被跳过。") % {"n": inactive})
    else:
        rows = chosen(form)
    rows = rows.order_by()
    assigned = _assigned(task)
    already = 0
    if assigned is not None:
        rows = rows.annotate(assigned=assigned)
        already = rows.filter(assigned=True).count()
        rows = rows.filter(assigned=False)
    count = rows.count()
    if already:
        warnings.append(_("%(n)s 个组织已收到过该工作单，不会重复派发。") % {"n": already})
    return {
        "count": count,
        "already": already,
        "sample": list(rows.order_by("path")[:SAMPLE]),
        "more": max(count - SAMPLE, 0),
        "warnings": warnings,
    }


def confirm_fields(form) -> list[tuple[str, str]]:
    """The criteria as hidden (name, value) pairs for the confirm form."""
    data = form.cleaned_data
    pairs = [("mode", data.get("mode") or "")]
    if data.get("within"):
        pairs.append(("within", str(data["within"].pk)))
    if data.get("unit_kind"):
        pairs.append(("unit_kind", data["unit_kind"]))
    pairs += [("kinds", k) for k in data.get("kinds") or []]
    if form.hand:
        pairs += [("ids", str(i)) for i in data.get("ids") or []]
    if data.get("due_on"):
        pairs.append(("due_on", data["due_on"].isoformat()))
    return pairs
