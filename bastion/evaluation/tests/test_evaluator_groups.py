"""Who scores an organization as which group reads the grants as held: a county committee
member who is also a branch's secretary scores that branch as itself (自评) and a sibling as a
peer (互评), although the county grant already covers both."""

import pytest

from bastion.evaluation.models import Target
from bastion.evaluation.selectors_scoring import evaluator_groups
from bastion.orgs.tests.factories import UserFactory, grant

from .helpers import open_round, simple_scheme

pytestmark = pytest.mark.django_db


def test_a_grant_on_the_branch_itself_counts_under_a_grant_above_it(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.county_a)
    user = UserFactory()
    grant(user, "county_committee", tree.county_a)
    grant(user, "branch_secretary", tree.station_a1)
    own = Target.objects.select_related("organization").get(
        round=round_, organization=tree.station_a1
    )
    sibling = Target.objects.select_related("organization").get(
        round=round_, organization=tree.station_a2
    )
    assert evaluator_groups(user, own) == {"self", "higher", "public"}
    assert evaluator_groups(user, sibling) == {"peers", "higher", "public"}


def test_a_grant_above_alone_scores_as_the_higher_committee(tree, personas):
    round_ = open_round(personas.company, simple_scheme(tree.company), tree.county_a)
    user = UserFactory()
    grant(user, "county_committee", tree.county_a)
    target = Target.objects.select_related("organization").get(
        round=round_, organization=tree.station_a1
    )
    assert evaluator_groups(user, target) == {"higher", "public"}
