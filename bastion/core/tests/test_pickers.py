"""Organization and people pickers: they accept only what the scope door allows, show a short
indented list, and refuse anything else with a Chinese message."""

from django import forms

from bastion.core.forms import (
    OrganizationChoiceField,
    OrganizationMultipleChoiceField,
    PersonChoiceField,
    indented,
)


class PickForm(forms.Form):
    org = OrganizationChoiceField(label="组织")
    orgs = OrganizationMultipleChoiceField(label="组织", required=False)
    person = PersonChoiceField(label="人员", required=False)

    def __init__(self, *args, user, options=(), selected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].offer(user, "tasks.add_task", options, selected)
        self.fields["orgs"].offer(user, "tasks.add_task", options)
        self.fields["person"].offer(user)


def test_a_permitted_organization_is_accepted(personas, tree):
    form = PickForm({"org": tree.station_a2.pk, "orgs": [tree.station_a1.pk]}, user=personas.county)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["org"] == tree.station_a2
    assert list(form.cleaned_data["orgs"]) == [tree.station_a1]


def test_an_organization_outside_the_permission_is_refused_in_chinese(personas, tree):
    form = PickForm({"org": tree.station_b1.pk, "orgs": [tree.county_b.pk]}, user=personas.county)
    assert not form.is_valid()
    assert form.errors["org"] == ["所选组织不在您的管理范围内，请重新选择。"]
    assert form.errors["orgs"] == ["所选组织不在您的管理范围内，请重新选择。"]


def test_the_list_shows_the_options_and_the_selection_in_tree_order(personas, tree):
    form = PickForm(
        user=personas.company, options=[tree.station_a1, tree.county_a], selected=[tree.station_b1]
    )
    choices = list(form.fields["org"].widget.choices)
    assert choices[0] == ("", "请选择")
    assert [label for _pk, label in choices[1:]] == [
        indented(tree.county_a),
        indented(tree.station_a1),
        indented(tree.station_b1),
    ]
    assert indented(tree.station_a1) == "　　A1供电所党支部"
    assert "" not in [pk for pk, _label in form.fields["orgs"].widget.choices]


def test_a_person_outside_the_scope_is_refused(personas, people):
    form = PickForm(
        {"org": "", "person": people.zhao_liu.pk}, user=personas.secretary_a, options=()
    )
    form.is_valid()
    assert form.errors["person"] == ["所选人员不在您的管理范围内，请重新选择。"]
    inside = PickForm({"person": people.li_si.pk}, user=personas.secretary_a)
    inside.is_valid()
    assert "person" not in inside.errors
