import pytest

from bastion.orgs.models import Organization


@pytest.mark.parametrize("n", range(40))
def test_plain_sees_no_demo(db, n):
    assert not Organization.objects.filter(code__startswith="NY").exists()
