"""The party organization tree (组织): committee → general branch → branch → group."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from bastion.core.scope import ScopedQuerySet


class OrganizationKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    TEMPORARY_BRANCH = "temporary_branch", _("临时党支部")
    GROUP = "group", _("党小组")


class UnitKind(models.TextChoices):
    COMPANY = "company", _("市公司")
    HQ_DEPARTMENT = "hq_department", _("公司本部部门")
    COUNTY = "county", _("县公司")
    URBAN = "urban", _("城区支部单位")
    STATION = "station", _("基层供电所")
    PROJECT = "project", _("项目")
    SUPPORT = "support", _("支撑机构（战区）")


KIND_LABELS = dict(OrganizationKind.choices)
UNIT_KIND_LABELS = dict(UnitKind.choices)


class OrganizationQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    pass


class OrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def restrict(self, user, action="view"):
        return self.get_queryset().restrict(user, action)

    def permitted(self, user, permission):
        return self.get_queryset().permitted(user, permission)


class Organization(MP_Node):
    """A node of the tree. Its subtree is every node whose path starts with its path."""

    scope_path_field = "path"

    name = models.CharField(_("组织名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    code = models.CharField(_("组织编码"), max_length=40, unique=True)
    kind = models.CharField(_("组织类型"), max_length=20, choices=OrganizationKind.choices)
    unit_kind = models.CharField(
        _("单位类别"), max_length=20, choices=UnitKind.choices, db_index=True
    )
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    term_started_on = models.DateField(_("本届班子任期开始"), null=True, blank=True)
    term_ends_on = models.DateField(_("本届班子任期届满"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在用"), default=True)

    node_order_by = ["code"]
    objects = OrganizationManager()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        indexes = [
            models.Index(fields=["kind"]),
            # The top of a scope (every page's organization switcher): the first node by depth.
            models.Index(fields=["depth", "path"], name="orgs_org_depth_path_idx"),
        ]
        permissions = [
            ("import_organization", "Can import organizations"),
            ("export_organization", "Can export organizations"),
            ("move_organization", "Can move organizations in the tree"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("orgs:org_detail", args=[self.pk])

    @property
    def display_name(self):
        return self.short_name or self.name

    # Labels from a dictionary: get_<field>_display() hashes every choice on each call, which
    # is most of a tree page's time (the tree and the rosters show a label per row).
    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def unit_kind_label(self) -> str:
        return UNIT_KIND_LABELS.get(self.unit_kind, self.unit_kind)

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.term_started_on and self.term_ends_on and self.term_ends_on <= self.term_started_on:
            raise ValidationError({"term_ends_on": _("任期届满日期应晚于任期开始日期。")})


class CommitteePosition(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION = "organization", _("组织委员")
    PROPAGANDA = "propaganda", _("宣传委员")
    DISCIPLINE = "discipline", _("纪检委员")
    MEMBER = "member", _("委员")


class CommitteeMember(models.Model):
    """A seat on an organization's committee (支委会/党委班子). The secretary is the seat 书记."""

    scope_path_field = "organization__path"

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="committee",
        verbose_name=_("组织"),
    )
    person = models.ForeignKey(
        "orgs.Person",
        on_delete=models.CASCADE,
        related_name="committee_seats",
        verbose_name=_("人员"),
    )
    position = models.CharField(_("职务"), max_length=20, choices=CommitteePosition.choices)
    started_on = models.DateField(_("任职日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("班子成员")
        verbose_name_plural = _("班子成员")
        ordering = ["organization", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "person"], name="committee_member_once_per_org"
            ),
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(position="secretary"),
                name="one_secretary_per_org",
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.get_position_display()} {self.person}"

    def get_additional_data(self):
        """Stored on each audit entry: the seat's changes stay on its organization's and its
        person's history after the seat is gone (ids only: no query while a cascade deletes)."""
        return {"organization_id": self.organization_id, "person_id": self.person_id}
