"""打擂台: a member submits (or edits) their key event (关键事件) of an arena round.

An arena round opens without targets; a member joins it by submitting a key event, which
creates their Target (in their own branch) and the one KeyEvent of that target. The other
members of the branch then rate it through ``scores.score_submit`` on the scheme's dimensions.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext as _

from bastion.core.evidence import check_upload
from bastion.core.scope import ensure_in_scope
from bastion.core.services import service

from ..models import KeyEvent, Round, Target
from ..selectors_scoring import check_open, entrant


@service
def key_event_submit(
    *,
    actor,
    round_: Round,
    title: str,
    happened_on: dt.date,
    description: str,
    attachment=None,
    today: dt.date | None = None,
) -> KeyEvent:
    """Create or replace ``actor``'s key event in ``round_`` (one per member and round)."""
    person = entrant(actor, round_)
    check_open(round_, today)
    fields = _clean_fields(round_, title, happened_on, description)
    checked = _check_attachment(attachment)
    target = Target.objects.filter(round=round_, person=person).first()
    if target is None:
        target = Target.objects.create(
            round=round_, person=person, organization_id=person.organization_id
        )
    event = KeyEvent.objects.filter(target=target).first() or KeyEvent(round=round_, target=target)
    for name, value in fields.items():
        setattr(event, name, value)
    old_file = event.attachment.name if event.attachment else ""
    if checked is not None:
        event.attachment.save(checked.storage_name(), File(attachment), save=False)
        event.attachment_name = checked.original_name
    try:
        event.full_clean()
        event.save()
        ensure_in_scope(actor, event, "add")
    except Exception:
        if checked is not None:  # the new file must not outlive a refused write
            event.attachment.storage.delete(event.attachment.name)
        raise
    if checked is not None and old_file:
        storage = event.attachment.storage
        transaction.on_commit(lambda: storage.delete(old_file))
    return event


def _clean_fields(round_: Round, title, happened_on, description) -> dict:
    title, description = (title or "").strip(), (description or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写事件标题。")
    elif len(title) > 100:
        errors["title"] = _("事件标题不能超过 100 个字。")
    if not description:
        errors["description"] = _("请填写事件经过与成效。")
    if happened_on is None:
        errors["happened_on"] = _("请填写发生日期。")
    elif not round_.period_start <= happened_on <= round_.period_end:
        errors["happened_on"] = _("发生日期应在考评期间 %(start)s 至 %(end)s 之内。") % {
            "start": round_.period_start,
            "end": round_.period_end,
        }
    if errors:
        raise ValidationError(errors)
    # PostgreSQL rejects NUL characters in text
    return {
        "title": title.replace("\x00", ""),
        "happened_on": happened_on,
        "description": description.replace("\x00", ""),
    }


def _check_attachment(upload):
    if not upload:
        return None
    try:
        return check_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"attachment": exc.messages}) from exc
