from bastion.orgs.models import Organization, Person


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_company_admin_sees_every_person(personas):
    assert names(Person.objects.restrict(personas.company, "view")) == sorted(
        ["张三", "李四", "王五", "赵六", "钱七"]
    )


def test_county_secretary_sees_only_their_county(personas):
    assert names(Person.objects.restrict(personas.county, "view")) == [
        "张三",
        "李四",
        "王五",
        "钱七",
    ]


def test_branch_secretary_sees_only_their_branch(personas):
    assert names(Person.objects.restrict(personas.secretary_a, "view")) == ["张三", "李四"]
    assert names(Person.objects.restrict(personas.secretary_b, "view")) == ["赵六"]


def test_member_sees_only_their_own_record(personas):
    assert names(Person.objects.restrict(personas.member, "view")) == ["张三"]
    assert not Person.objects.restrict(personas.member, "change").exists()


def test_outsider_sees_nothing(personas):
    assert not Person.objects.restrict(personas.outsider, "view").exists()
    assert not Organization.objects.restrict(personas.outsider, "view").exists()


def test_organization_scope_is_the_subtree(personas, tree):
    visible = Organization.objects.restrict(personas.county, "view")
    assert set(visible) == {tree.county_a, tree.station_a1, tree.station_a2, tree.group_a1}
