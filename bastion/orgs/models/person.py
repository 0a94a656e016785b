"""People (人员): party members, probationary members and non-members of a unit."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from bastion.core.idcard import birth_date_of, gender_of, mask_id_number, validate_id_number
from bastion.core.pinyin import pinyin_keys
from bastion.core.scope import ScopedQuerySet

from .organization import Organization, OrganizationKind

# The fields that place a person in the subtree head counts (``bastion.orgs.counts``).
COUNTED_FIELDS = {"organization", "organization_id", "membership_status"}


class MembershipStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")
    NONE = "none", _("群众")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class PersonStatus(models.TextChoices):
    """Whether the person is still on the unit's roll. Which of these count as having left (and so
    close the account) is a rule of the accounts app, held as data."""

    ACTIVE = "active", _("在册")
    TRANSFERRED = "transferred", _("转出")
    RESIGNED = "resigned", _("离职")
    RETIRED = "retired", _("退休")
    DECEASED = "deceased", _("死亡")


class Post(models.TextChoices):
    STATION_HEAD = "station_head", _("所长")
    DEPUTY_HEAD = "deputy_head", _("副所长")
    SENIOR_MANAGER = "senior_manager", _("高级经理")
    AREA_MANAGER = "area_manager", _("台区经理")
    TEAM_LEADER = "team_leader", _("班组长")
    MANAGER = "manager", _("管理人员")
    TECHNICIAN = "technician", _("技术人员")
    WORKER = "worker", _("一线员工")
    OTHER = "other", _("其他")


MEMBERSHIP_LABELS = dict(MembershipStatus.choices)
POST_LABELS = dict(Post.choices)


class PersonQuerySet(ScopedQuerySet):
    def members(self):
        return self.exclude(membership_status=MembershipStatus.NONE)

    def search(self, text: str):
        """Name, pinyin or pinyin initials (``zs`` finds 张三), employee number."""
        text = (text or "").strip()
        if not text:
            return self
        key = text.lower().replace(" ", "")
        condition = models.Q(name__icontains=text) | models.Q(employee_no__iexact=text)
        if key.isascii() and key.isalpha():
            condition |= models.Q(name_initials__startswith=key)
            condition |= models.Q(name_pinyin__startswith=key)
        return self.filter(condition)


class Person(models.Model):
    scope_path_field = "organization__path"
    scope_owner_field = "user"

    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(_("姓名拼音"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(
        _("拼音首字母"), max_length=50, blank=True, editable=False, db_index=True
    )
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True, null=True, blank=True)
    employee_no = models.CharField(_("工号"), max_length=30, unique=True, null=True, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("所在党组织"),
    )
    party_group = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="group_members",
        verbose_name=_("党小组"),
        limit_choices_to={"kind": OrganizationKind.GROUP},
    )
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    post = models.CharField(_("岗位"), max_length=20, choices=Post.choices, blank=True)
    membership_status = models.CharField(
        _("政治面貌"),
        max_length=16,
        choices=MembershipStatus.choices,
        default=MembershipStatus.NONE,
        db_index=True,
    )
    status = models.CharField(
        _("人员状态"),
        max_length=16,
        choices=PersonStatus.choices,
        default=PersonStatus.ACTIVE,
        db_index=True,
    )
    applied_on = models.DateField(_("申请入党日期"), null=True, blank=True)
    admitted_on = models.DateField(_("入党日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
        verbose_name=_("登录账号"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["organization__path", "name", "id"]
        indexes = [
            models.Index(fields=["organization", "name"]),
            # The accounts list walks only the people with an account, in roster order, and
            # counts them from the index alone.
            models.Index(
                fields=["organization", "name", "user"],
                condition=models.Q(user__isnull=False),
                name="orgs_person_account_idx",
            ),
        ]
        permissions = [
            ("import_person", "Can import people"),
            ("export_person", "Can export people"),
            ("view_sensitive_person", "Can view ID numbers and phone numbers"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_pinyin", "name_initials"}
        counted = update_fields is None or bool(COUNTED_FIELDS & set(update_fields))
        if not counted:
            return super().save(*args, **kwargs)
        from ..counts import person_counted

        with transaction.atomic():
            before = None if self._state.adding else self._stored_count_state()
            super().save(*args, **kwargs)
            after = (self.organization_id, self.membership_status)
            if before != after:
                person_counted(before, after)
        self._counted_as = after

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orgs:person_detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._counted_as = instance._loaded_count_state()
        return instance

    def _loaded_count_state(self):
        """Where this row counts in the subtree head counts, as loaded (None if deferred)."""
        org_id = self.__dict__.get("organization_id")
        status = self.__dict__.get("membership_status")
        return None if org_id is None or status is None else (org_id, status)

    def _stored_count_state(self):
        state = getattr(self, "_counted_as", None)
        if state is None:
            row = (
                type(self)
                .objects.filter(pk=self.pk)
                .values_list("organization_id", "membership_status")
            )
            state = row.first()
        return state

    def delete(self, *args, **kwargs):
        from ..counts import person_counted

        with transaction.atomic():
            before = self._stored_count_state()
            result = super().delete(*args, **kwargs)
            person_counted(before, None)
        self._counted_as = None
        return result

    def clean(self):
        errors = {}
        self.employee_no = (self.employee_no or "").strip() or None
        if self.id_number:
            try:
                self.id_number = validate_id_number(self.id_number)
            except ValidationError as exc:
                errors["id_number"] = exc.messages
            else:
                self.birth_date = self.birth_date or birth_date_of(self.id_number)
                self.gender = self.gender or gender_of(self.id_number)
        else:
            self.id_number = None
        errors.update(self._membership_errors())
        if self.party_group_id and self.organization_id:
            group = self.party_group
            if group.kind != OrganizationKind.GROUP or not group.path.startswith(
                self.organization.path
            ):
                errors["party_group"] = [_("党小组必须是所在党组织下属的党小组。")]
        if errors:
            raise ValidationError(errors)

    def _membership_errors(self) -> dict:
        errors = {}
        status = self.membership_status
        is_member = status in (MembershipStatus.FULL, MembershipStatus.PROBATIONARY)
        if is_member and not self.admitted_on:
            errors["admitted_on"] = [_("党员和预备党员必须填写入党日期。")]
        if status == MembershipStatus.FULL and not self.confirmed_on:
            errors["confirmed_on"] = [_("正式党员必须填写转正日期。")]
        if status != MembershipStatus.FULL and self.confirmed_on:
            errors["confirmed_on"] = [_("只有正式党员才有转正日期。")]
        if status == MembershipStatus.NONE and self.admitted_on:
            errors["admitted_on"] = [_("群众不应有入党日期，请先修改政治面貌。")]
        ordered = [
            ("applied_on", self.applied_on),
            ("admitted_on", self.admitted_on),
            ("confirmed_on", self.confirmed_on),
        ]
        present = [(field, day) for field, day in ordered if day]
        for (_f1, d1), (f2, d2) in zip(present, present[1:], strict=False):
            if d2 < d1:
                errors.setdefault(f2, []).append(_("日期顺序应为：申请入党 ≤ 入党 ≤ 转正。"))
        return errors

    def get_additional_data(self):
        """Stored on each audit entry: the change shows on the history of the organization the
        person belonged to when it was made."""
        return {"organization_id": self.organization_id}

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number or "")

    # Labels from a dictionary, for rosters: get_<field>_display() hashes every choice per call.
    @property
    def membership_label(self) -> str:
        return MEMBERSHIP_LABELS.get(self.membership_status, self.membership_status)

    @property
    def post_label(self) -> str:
        return POST_LABELS.get(self.post, self.post)

    @property
    def is_party_member(self) -> bool:
        return self.membership_status != MembershipStatus.NONE
