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


def test_permitted_organizations_follow_any_permission(personas, tree):
    """The door takes any permission, not only the model's own."""
    from bastion.core.scope import within

    county_may = Organization.objects.permitted(personas.county, "orgs.change_person")
    assert set(county_may) == {tree.county_a, tree.station_a1, tree.station_a2, tree.group_a1}
    assert set(Organization.objects.permitted(personas.company, "orgs.change_person")) == set(
        Organization.objects.all()
    )
    assert not Organization.objects.permitted(personas.outsider, "orgs.change_person").exists()
    people = Person.objects.filter(within(personas.secretary_b, "orgs.change_person"))
    assert names(people) == ["赵六"]


def test_grant_covers_its_subtrees_only(personas, tree):
    from bastion.core.scope import allows, grant

    county = grant(personas.county, "orgs.view_person")
    assert county and not county.everywhere
    assert county.covers(tree.station_a1) and county.covers(tree.county_a.path)
    assert not county.covers(tree.station_b1) and not county.covers(None)
    assert allows(personas.company, "orgs.view_person", tree.station_b1)
    assert not grant(personas.outsider, "orgs.view_person")


def test_strictly_below_leaves_out_the_granted_node(personas, tree):
    from bastion.core.scope import within

    below = Organization.objects.filter(
        within(personas.county, "orgs.view_person", "path", strictly_below=True)
    )
    assert set(below) == {tree.station_a1, tree.station_a2, tree.group_a1}
