"""The demo's points ledger keeps the handbook's evidence rule: an entry of an item that asks for
evidence carries a real file (a PDF record sheet), whether it counts already or waits."""

from django.core.files.storage import default_storage

from bastion.core.evidence import PDF, detect_type
from bastion.evaluation.models import PointsEntry


def test_every_demo_entry_of_an_evidence_item_carries_a_real_file(demo):
    needs = PointsEntry.objects.filter(item__evidence_required=True)
    assert needs.filter(state="approved").exists() and needs.filter(state="pending").exists()
    assert not needs.filter(evidence="").exists()
    sample = needs.filter(item__code="safety_guard", state="approved").first()
    assert "现场安全监护" in sample.evidence_name and sample.evidence_name.endswith(".pdf")
    with default_storage.open(sample.evidence.name) as stored:
        assert detect_type(stored, sample.evidence_name) == PDF
        assert stored.size < 8 * 1024
    others = PointsEntry.objects.filter(item__evidence_required=False)
    assert not others.exclude(evidence="").exists()
