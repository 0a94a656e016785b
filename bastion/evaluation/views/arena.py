"""打擂台 pages: a member submits or edits their key event of the quarter, and anyone who may see
a key event downloads its evidence.

Only a member of a branch inside the round's subtree (``selectors_scoring.entrant``) reaches
the form; everyone else gets a 404, as for anything outside their scope.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.evidence import file_response
from bastion.core.scope import has_permission_anywhere

from .. import selectors_scoring as sel
from ..forms_scoring import KeyEventForm
from ..models import KeyEvent
from ..selectors_scoring import check_open, entrant, is_arena
from ..services.key_events import key_event_submit
from .scoring import visible_round


@login_required
def arena_event(request, round_pk):
    """提交我的关键事件: one per member and round; submitting again replaces it."""
    user = request.user
    if not has_permission_anywhere(user, "evaluation.add_keyevent"):
        raise Http404
    round_ = visible_round(user, round_pk)
    if not is_arena(round_):
        raise Http404
    sel.person_of(user)
    try:
        entrant(user, round_)
    except PermissionDenied:
        raise Http404 from None
    today = timezone.localdate()
    closed = _closed_message(round_, today)
    event = sel.own_event(user, round_)
    form = KeyEventForm(
        request.POST or None,
        request.FILES or None,
        initial=_initial(event),
        period=(round_.period_start, round_.period_end),
        has_file=bool(event and event.attachment),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            key_event_submit(
                actor=user,
                round_=round_,
                title=data["title"],
                happened_on=data["happened_on"],
                description=data["description"],
                attachment=data.get("attachment"),
                today=today,
            )
        except ValidationError as exc:
            form.apply_errors(exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("关键事件已提交，本支部党员将对其进行评议。"))
            return redirect("evaluation:scoring_round", round_pk=round_.pk)
    context = {"round": round_, "form": form, "event": event, "closed": closed}
    return render(request, "evaluation/scoring/event_form.html", context)


def _closed_message(round_, today) -> str:
    try:
        check_open(round_, today)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


def _initial(event) -> dict:
    if event is None:
        return {}
    return {
        "title": event.title,
        "happened_on": event.happened_on,
        "description": event.description,
    }


@login_required
def arena_event_file(request, pk):
    """A key event's evidence, served to whoever may see the event (its branch, the author)."""
    events = KeyEvent.objects.restrict(request.user, "view")
    event = get_object_or_404(events, pk=pk)
    if not event.attachment:
        raise Http404
    return file_response(event.attachment, event.attachment_name or event.attachment.name)
