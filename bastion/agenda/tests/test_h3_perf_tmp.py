import datetime as dt, time
import pytest
from decimal import Decimal
from bastion.agenda.models import DuesPayment
from bastion.agenda.selectors_dues import members_in_alarm, subtree_dues_totals
from bastion.orgs.models import Person
pytestmark = pytest.mark.django_db
def test_perf(tree):
    people = [Person(name=f"p{i}", organization=tree.station_a1, membership_status="full", admitted_on=dt.date(2010,1,1)) for i in range(5000)]
    Person.objects.bulk_create(people)
    Person.objects.update(created_at=dt.datetime(2023,1,1,tzinfo=dt.timezone.utc))
    ids = list(Person.objects.values_list("pk", flat=True))
    pays = []
    for n, pk in enumerate(ids):
        for m in range(36):
            if (n + m) % 11 == 0: continue
            month = dt.date(2023 + m // 12, m % 12 + 1, 1)
            pays.append(DuesPayment(person_id=pk, organization=tree.station_a1, month=month, amount=Decimal("1"), paid_on=month))
    DuesPayment.objects.bulk_create(pays, batch_size=5000)
    t = time.time(); n = members_in_alarm(Person.objects.all(), dt.date(2025, 12, 15)).count(); a = time.time() - t
    t = time.time(); subtree_dues_totals(tree.company, 2025, dt.date(2025, 12, 15), 6); b = time.time() - t
    print("ALARM", n, round(a, 2), "TOTALS", round(b, 2), len(pays))
    assert 0
