"""Opening accounts: one person from their page, or a whole roster at once, all or nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bastion.core.scope import allows, within
from bastion.core.services import audit_bulk, service
from bastion.orgs.models import Person, RoleAssignment

from .. import codes
from ..models import AccountList, AccountPolicy, ActivationCode, CodeReason
from ..usernames import UsernamePicker
from .common import code_expiry

OPEN_PERMISSION = "accounts.add_account"
BATCH = 1000


@dataclass
class BulkPreview:
    """What a bulk opening would do: who gets an account, who is skipped and why."""

    to_open: list[int] = field(default_factory=list)  # person ids, in roster order
    skipped: list[tuple[Person, str]] = field(default_factory=list)

    @property
    def signature(self) -> str:
        """Changes when the people to open change: a stale preview is never committed."""
        joined = ",".join(map(str, self.to_open))
        return hashlib.sha256(joined.encode()).hexdigest()[:16]


@dataclass
class OpenedAccount:
    user: object
    code: str
    account_list: AccountList


def _candidates(actor, people: QuerySet) -> QuerySet:
    return people.filter(within(actor, OPEN_PERMISSION)).order_by(
        "organization__path", "name", "id"
    )


def _skip_reason(person: Person, policy: AccountPolicy) -> str | None:
    if person.user_id:
        return _("已有账号（用户名 %(username)s）") % {"username": person.user.username}
    if policy.has_left(person):
        return _("人员状态为“%(status)s”，不开通账号") % {"status": person.get_status_display()}
    return None


def accounts_bulk_preview(*, actor, people: QuerySet) -> BulkPreview:
    """Nothing is written: the count to open and each skipped person with the reason."""
    policy = AccountPolicy.current()
    preview = BulkPreview()
    rows = _candidates(actor, people).select_related("user", "organization")
    for person in rows.only(
        "id", "name", "status", "user__username", "organization__name", "organization__path"
    ):
        reason = _skip_reason(person, policy)
        if reason:
            preview.skipped.append((person, reason))
        else:
            preview.to_open.append(person.pk)
    return preview


@service
def accounts_bulk_open(
    *, actor, people: QuerySet, description: str = "", signature: str | None = None
) -> AccountList:
    """Open an account for every person of ``people`` inside the actor's scope who has none.

    With the ``signature`` of a preview, a roster changed since (by someone else, or by a second
    run) is refused instead of opening something the user did not see.
    """
    preview = accounts_bulk_preview(actor=actor, people=people)
    if signature is not None and signature != preview.signature:
        raise ValidationError(_("数据已变化，请重新预览后再开通。"))
    if not preview.to_open:
        raise ValidationError(_("没有需要开通账号的人员。"))
    chosen = Person.objects.filter(pk__in=preview.to_open).select_related("organization")
    return _open_people(
        actor, list(chosen.order_by("organization__path", "name", "id")), description
    )


@service
def account_open(*, actor, person: Person) -> OpenedAccount:
    """开通账号 from the person's page: the code is shown once and kept in a one-row 开户清单."""
    if not allows(actor, OPEN_PERMISSION, person.organization):
        raise PermissionDenied(_("该人员不在您的管理范围内。"))
    reason = _skip_reason(person, AccountPolicy.current())
    if reason:
        raise ValidationError(reason)
    account_list = _open_people(actor, [person], person.name)
    person_id, user_id, code = account_list.entries[0]
    return OpenedAccount(get_user_model().objects.get(pk=user_id), code, account_list)


def _open_people(actor, people: list[Person], description: str) -> AccountList:
    policy = AccountPolicy.current()
    users = _create_users(people, policy)
    link = get_user_model()._meta.get_field("person")
    for person, user in zip(people, users, strict=True):
        person.user_id = user.pk
        link.set_cached_value(user, person)  # names the account in the audit without a query
    Person.objects.bulk_update(people, ["user"], batch_size=BATCH)
    issued = _issue_codes(actor, users, policy)
    _grant_member_role(actor, people, users, policy)
    audit_bulk(
        actor=actor,
        model=get_user_model(),
        changes_by_object=[
            (user, {"username": [None, user.username]}, LogEntry.Action.CREATE) for user in users
        ],
    )
    return AccountList.objects.create(
        opened_by=actor,
        description=description[:300],
        count=len(users),
        entries=[
            [person.pk, user.pk, code]
            for person, user, code in zip(people, users, issued, strict=True)
        ],
    )


def _create_users(people: list[Person], policy: AccountPolicy) -> list:
    User = get_user_model()
    picker = UsernamePicker(policy.username_source)
    users = [
        User(
            username=picker.pick(person),
            first_name=person.name[:150],
            email=person.email,
            # No password anyone has seen: the person sets one with the activation code.
            password=make_password(None),
        )
        for person in people
    ]
    return User.objects.bulk_create(users, batch_size=BATCH)


def _issue_codes(actor, users: list, policy: AccountPolicy) -> list[str]:
    issued = [codes.new_code() for _user in users]
    expires_at = code_expiry(policy)
    now = timezone.now()
    ActivationCode.objects.bulk_create(
        [
            ActivationCode(
                user=user,
                digest=codes.digest(code),
                reason=CodeReason.OPENED,
                issued_by=actor,
                issued_at=now,
                expires_at=expires_at,
            )
            for user, code in zip(users, issued, strict=True)
        ],
        batch_size=BATCH,
    )
    return issued


def _grant_member_role(actor, people: list[Person], users: list, policy: AccountPolicy) -> None:
    """Party members get the policy's role on their own branch (nobody grants beyond their own
    rights: an actor who does not hold the role's permissions there grants nothing)."""
    role = policy.member_role
    if role is None:
        return
    assignments = [
        RoleAssignment(user=user, role=role, organization_id=person.organization_id)
        for person, user in zip(people, users, strict=True)
        if person.membership_status in policy.member_statuses
        and _may_grant(actor, role, person.organization)
    ]
    RoleAssignment.objects.bulk_create(assignments, batch_size=BATCH, ignore_conflicts=True)


def _may_grant(actor, role, organization) -> bool:
    return actor.is_superuser or all(allows(actor, p, organization) for p in role.permissions)


def account_list_take(
    *, actor, account_list: AccountList, sign_in_url: str | None = None
) -> list[dict]:
    """The rows of a 开户清单, once, for whoever opened it; the codes are wiped as they leave.
    ``sign_in_url`` is the activation page as the opener reached the site (the request's own
    host), else as ``BASTION_SITE_URL`` names it."""
    if account_list.opened_by_id != actor.pk:
        raise PermissionDenied(_("开户清单只能由开通账号的人下载。"))
    locked = AccountList.objects.select_for_update().filter(pk=account_list.pk)
    from django.db import transaction

    with transaction.atomic():
        account_list = locked.get()
        if not account_list.downloadable:
            raise ValidationError(_("该开户清单已下载过，激活码不再保存；如需补发请重置账号。"))
        rows = _list_rows(account_list.entries, sign_in_url or _site_activation_url())
        account_list.entries = []
        account_list.downloaded_at = timezone.now()
        account_list.save(update_fields=["entries", "downloaded_at"])
    return rows


def _site_activation_url() -> str:
    return settings.BASTION_SITE_URL.rstrip("/") + reverse("accounts:activate")


def _list_rows(entries: list, sign_in_url: str) -> list[dict]:
    person_ids = [person_id for person_id, _user, _code in entries]
    people = Person.objects.filter(pk__in=person_ids).select_related("organization", "user")
    by_id = {person.pk: person for person in people}
    rows = []
    for person_id, _user_id, code in entries:
        person = by_id.get(person_id)
        if person is None or person.user is None:
            continue
        rows.append(
            {
                "name": person.name,
                "organization": person.organization.name,
                "username": person.user.username,
                "code": codes.readable(code),
                "how": _("打开 %(url)s ，输入用户名和激活码，设置自己的密码")
                % {"url": sign_in_url},
            }
        )
    return rows
