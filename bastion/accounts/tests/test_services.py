"""The account services: opening (one, many), the username rule, activation codes, managing,
and closing the accounts of people who leave."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from bastion.accounts import services
from bastion.accounts.models import AccountList, AccountPolicy, ActivationCode
from bastion.orgs.models import Person, RoleAssignment
from bastion.orgs.tests.factories import PersonFactory, UserFactory, grant

pytestmark = pytest.mark.django_db
User = get_user_model()
PASSWORD = "Gd-2026-station"


def open_one(actor, person):
    return services.account_open(actor=actor, person=person)


def test_an_account_is_opened_with_the_employee_number_and_a_one_time_code(personas, people):
    opened = open_one(personas.secretary_a, people.li_si)
    people.li_si.refresh_from_db()
    assert people.li_si.user == opened.user
    assert opened.user.username == people.li_si.employee_no
    assert not opened.user.has_usable_password()
    assert len(opened.code) == 8
    user = services.account_activate(
        username=opened.user.username, code=opened.code.lower(), password=PASSWORD
    )
    assert user.check_password(PASSWORD)


def test_an_activation_code_works_once(personas, people):
    opened = open_one(personas.secretary_a, people.li_si)
    username = opened.user.username
    services.account_activate(username=username, code=opened.code, password=PASSWORD)
    with pytest.raises(ValidationError):
        services.account_activate(username=username, code=opened.code, password="Other-2026-pw")
    opened.user.refresh_from_db()
    assert opened.user.check_password(PASSWORD)


def test_five_wrong_codes_spend_the_code(personas, people):
    opened = open_one(personas.secretary_a, people.li_si)
    for _attempt in range(5):
        with pytest.raises(ValidationError):
            services.account_activate(
                username=opened.user.username, code="WRONG-CODE", password=PASSWORD
            )
    with pytest.raises(ValidationError):
        services.account_activate(
            username=opened.user.username, code=opened.code, password=PASSWORD
        )


def test_an_expired_code_is_refused(personas, people):
    opened = open_one(personas.secretary_a, people.li_si)
    ActivationCode.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(ValidationError):
        services.account_activate(
            username=opened.user.username, code=opened.code, password=PASSWORD
        )


def test_a_weak_password_is_refused_and_the_code_stays_usable(personas, people):
    opened = open_one(personas.secretary_a, people.li_si)
    with pytest.raises(ValidationError):
        services.account_activate(username=opened.user.username, code=opened.code, password="123")
    services.account_activate(username=opened.user.username, code=opened.code, password=PASSWORD)


def test_without_an_employee_number_the_username_is_pinyin_and_unique(personas, tree):
    first = PersonFactory(name="张伟", employee_no=None, organization=tree.station_a1)
    second = PersonFactory(name="张伟", employee_no=None, organization=tree.station_a1)
    UserFactory(username="zhangwei2")
    a = open_one(personas.secretary_a, first).user.username
    b = open_one(personas.secretary_a, second).user.username
    assert (a, b) == ("zhangwei", "zhangwei3")


def test_an_employee_number_taken_by_another_account_falls_back_to_pinyin(personas, tree):
    UserFactory(username="E900001")
    person = PersonFactory(name="李娜", employee_no="E900001", organization=tree.station_a1)
    assert open_one(personas.secretary_a, person).user.username == "lina"


def test_opening_refuses_a_person_who_already_has_an_account(personas, people):
    with pytest.raises(ValidationError):
        open_one(personas.secretary_a, people.zhang_san)


def test_a_party_member_gets_the_member_role_on_the_branch(personas, tree):
    member = PersonFactory(
        name="周杰",
        organization=tree.station_a1,
        membership_status="full",
        admitted_on=dt.date(2015, 7, 1),
        confirmed_on=dt.date(2016, 7, 1),
    )
    user = open_one(personas.secretary_a, member).user
    roles = RoleAssignment.objects.filter(user=user).values_list("role__code", "organization")
    assert list(roles) == [("member", tree.station_a1.pk)]


def test_a_secretary_cannot_open_an_account_outside_the_branch(personas, people):
    with pytest.raises(PermissionDenied):
        open_one(personas.secretary_a, people.zhao_liu)
    assert not User.objects.filter(username=people.zhao_liu.employee_no).exists()


def test_bulk_preview_counts_and_gives_reasons(personas, people, tree):
    people.wang_wu.status = "resigned"
    people.wang_wu.save()
    preview = services.accounts_bulk_preview(
        actor=personas.county,
        people=Person.objects.filter(organization__path__startswith=tree.county_a.path),
    )
    skipped = {person.name: reason for person, reason in preview.skipped}
    assert set(skipped) == {"张三", "王五"}
    assert "已有账号" in skipped["张三"] and "离职" in skipped["王五"]
    assert sorted(preview.to_open) == sorted([people.li_si.pk, people.county_clerk.pk])
    assert not AccountList.objects.exists()


def test_bulk_open_opens_all_then_a_second_run_opens_nothing(personas, people, tree):
    roster = Person.objects.filter(organization__path__startswith=tree.county_a.path)
    preview = services.accounts_bulk_preview(actor=personas.county, people=roster)
    account_list = services.accounts_bulk_open(
        actor=personas.county, people=roster, signature=preview.signature
    )
    assert account_list.count == 3
    assert Person.objects.filter(pk__in=preview.to_open, user__isnull=True).count() == 0
    with pytest.raises(ValidationError):
        services.accounts_bulk_open(actor=personas.county, people=roster)


def test_a_stale_preview_is_refused_and_nothing_is_written(personas, people, tree):
    roster = Person.objects.filter(organization__path__startswith=tree.county_a.path)
    preview = services.accounts_bulk_preview(actor=personas.county, people=roster)
    open_one(personas.secretary_a, people.li_si)  # someone else opens one meanwhile
    before = User.objects.count()
    with pytest.raises(ValidationError, match="数据已变化"):
        services.accounts_bulk_open(
            actor=personas.county, people=roster, signature=preview.signature
        )
    assert User.objects.count() == before


def test_bulk_open_is_all_or_nothing(personas, people, tree, monkeypatch):
    from bastion.accounts.services import opening

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(opening, "_issue_codes", broken)
    roster = Person.objects.filter(organization__path__startswith=tree.county_a.path)
    before = User.objects.count()
    with pytest.raises(RuntimeError):
        services.accounts_bulk_open(actor=personas.county, people=roster)
    assert User.objects.count() == before
    assert Person.objects.filter(pk=people.li_si.pk, user__isnull=True).exists()


def test_the_account_list_is_taken_once_by_its_opener(personas, people, tree):
    roster = Person.objects.filter(organization=tree.station_a1)
    account_list = services.accounts_bulk_open(actor=personas.secretary_a, people=roster)
    with pytest.raises(PermissionDenied):
        services.account_list_take(actor=personas.county, account_list=account_list)
    rows = services.account_list_take(actor=personas.secretary_a, account_list=account_list)
    assert [row["name"] for row in rows] == ["李四"]
    assert rows[0]["code"][4] == "-"
    with pytest.raises(ValidationError):
        services.account_list_take(actor=personas.secretary_a, account_list=account_list)
    account_list.refresh_from_db()
    assert account_list.entries == []


def test_a_person_who_leaves_loses_the_account(
    personas, people, django_capture_on_commit_callbacks
):
    member_account = personas.member
    with django_capture_on_commit_callbacks(execute=True):
        people.zhang_san.status = "transferred"
        people.zhang_san.save()
    member_account.refresh_from_db()
    assert not member_account.is_active
    from auditlog.models import LogEntry

    entry = LogEntry.objects.get_for_object(member_account).latest("timestamp")
    assert "转出" in entry.additional_data["reason"]
    with pytest.raises(ValidationError):
        services.account_reactivate(actor=personas.secretary_a, user=member_account)


def test_the_daily_run_closes_accounts_of_people_changed_in_bulk(personas, people):
    Person.objects.filter(pk=people.zhang_san.pk).update(status="deceased")
    assert services.accounts_close_for_leavers(today=dt.date(2026, 12, 7)) == {"closed": 1}
    personas.member.refresh_from_db()
    assert not personas.member.is_active


def test_reset_gives_a_new_code_and_kills_the_old_password(personas, people):
    personas.member.set_password(PASSWORD)
    personas.member.save()
    code = services.account_reset(actor=personas.secretary_a, user=personas.member)
    personas.member.refresh_from_db()
    assert not personas.member.has_usable_password()
    services.account_activate(username="p_member", code=code, password="New-2026-secret")


def test_a_secretary_cannot_manage_an_account_of_another_branch(personas, people):
    with pytest.raises(PermissionDenied):
        services.account_deactivate(actor=personas.secretary_b, user=personas.member)


def test_deactivate_and_reactivate(personas, people):
    services.account_deactivate(actor=personas.secretary_a, user=personas.member, reason="调岗")
    personas.member.refresh_from_db()
    assert not personas.member.is_active
    services.account_reactivate(actor=personas.secretary_a, user=personas.member)
    personas.member.refresh_from_db()
    assert personas.member.is_active


def test_the_last_administrator_of_the_root_stays(personas, tree):
    person = PersonFactory(name="党建部主任", organization=tree.company)
    person.user = personas.company
    person.save()
    admin = UserFactory(username="root_admin")
    PersonFactory(name="管理员", organization=tree.company, user=admin)
    grant(admin, "party_department", tree.company)
    services.account_deactivate(actor=admin, user=personas.company)
    with pytest.raises(ValidationError):
        services.account_deactivate(actor=personas.company, user=admin)


def test_the_last_root_grant_cannot_be_revoked(personas, tree):
    from bastion.orgs import services as org_services

    superuser = UserFactory(username="root", is_superuser=True)
    assignment = RoleAssignment.objects.get(user=personas.company)
    with pytest.raises(ValidationError):
        org_services.role_revoke(actor=superuser, assignment=assignment)
    grant(UserFactory(username="second"), "party_department", tree.company)
    org_services.role_revoke(actor=superuser, assignment=assignment)


def test_a_forgotten_password_reaches_the_branch_secretary(personas, people):
    from bastion.core.notifications.models import Notification

    services.password_help_request(username="p_member", note="换了手机")
    services.password_help_request(username="p_member")  # a second click tells nobody again
    services.password_help_request(username="nobody")
    told = Notification.objects.filter(event="accounts.password_help")
    assert list(told.values_list("recipient__username", flat=True)) == ["p_secretary_a"]
    from bastion.accounts.models import PasswordHelpRequest

    request = PasswordHelpRequest.objects.get()
    with pytest.raises(PermissionDenied):
        services.password_help_answer(actor=personas.secretary_b, help_request=request)
    code = services.password_help_answer(actor=personas.secretary_a, help_request=request)
    services.account_activate(username="p_member", code=code, password=PASSWORD)


def test_sign_in_through_the_identity_service_opens_the_account_once(people):
    user = services.account_for_sign_in(person=people.wang_wu)
    assert services.account_for_sign_in(person=people.wang_wu) == user
    people.wang_wu.status = "resigned"
    with pytest.raises(PermissionDenied):
        services.account_for_sign_in(person=people.wang_wu)


def test_the_policy_is_data(personas, tree):
    policy = AccountPolicy.current()
    assert policy.pk is not None and policy.member_role.code == "member"
    AccountPolicy.objects.create(
        effective_from=dt.date(2026, 1, 1), username_source="pinyin", leaving_statuses=[]
    )
    person = PersonFactory(name="王芳", organization=tree.station_a1)
    assert open_one(personas.secretary_a, person).user.username == "wangfang"
