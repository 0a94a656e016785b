"""``POST /api/v1/problems/{id}/transition/``: the rectification loop through the API (JSON and
multipart evidence), refusals (400 with the field, 403 without the right, 404 outside the
scope), nothing changed on a refusal, and the evidence download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bastion.core.testing import login
from bastion.problems.models import ProblemEvidence

from .api_helpers import (
    PERSONAS,
    data_fixture,  # noqa: F401
    discipline_fixture,  # noqa: F401
    problem_url,
    today,
    user_of,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name="整改后.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def move(api, problem, to, reason="", **extra):
    return api.post(
        problem_url(problem, "transition"), {"to": to, "reason": reason, **extra}, format="json"
    )


def upload(api, problem, to, *files, reason=""):
    body = {"to": to, "reason": reason, "files": list(files)}
    return api.post(problem_url(problem, "transition"), body, format="multipart")


def test_the_full_loop(api, personas, discipline, data):
    problem = data.problems.a1
    login(api, personas.secretary_a)
    response = move(api, problem, "in_progress")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["allowed_moves"]) == (
        "in_progress",
        ["submitted"],
    )
    missing = move(api, problem, "submitted")
    assert missing.status_code == 400
    assert missing.json()["files"] == ["提交验收前请上传整改佐证材料（照片或文件）。"]
    response = upload(api, problem, "submitted", png())
    assert response.status_code == 200, response.content
    row = response.json()
    assert (row["state"], row["submitted_on"]) == ("submitted", today().isoformat())
    assert [e["original_name"] for e in row["evidence"]] == ["整改后.png"]
    evidence_url = row["evidence"][0]["url"]
    assert api.get(evidence_url).status_code == 200

    login(api, personas.company)
    refused = move(api, problem, "rejected", "  ")
    assert refused.status_code == 400
    assert refused.json()["reason"] == ["请填写原因。"]
    response = move(api, problem, "rejected", "照片看不清整改后的现场。")
    assert response.status_code == 200
    assert response.json()["state"] == "rejected"

    login(api, personas.secretary_a)
    assert move(api, problem, "submitted").status_code == 400  # new evidence after a rejection
    assert upload(api, problem, "submitted", png("补充.png")).status_code == 200

    login(api, personas.company)
    assert move(api, problem, "verified").json()["state"] == "verified"
    row = move(api, problem, "closed").json()
    assert (row["state"], row["closed_on"], row["colour"]) == (
        "closed",
        today().isoformat(),
        "done",
    )
    assert move(api, problem, "reopen").status_code == 400
    row = move(api, problem, "reopen", "复查发现问题反弹。").json()
    assert (row["state"], row["closed_on"]) == ("in_progress", None)
    assert [e["to_state"] for e in row["events"]] == [
        "planned",
        "in_progress",
        "submitted",
        "rejected",
        "submitted",
        "verified",
        "closed",
        "in_progress",
    ]
    assert row["events"][-1]["reason"] == "复查发现问题反弹。"
    assert row["events"][-1]["actor"] == "p_company"


def test_a_move_not_allowed_from_the_state_is_400(api, personas, discipline, data):
    login(api, personas.company)
    response = move(api, data.problems.a1, "closed")
    assert response.status_code == 400
    assert "待整改" in response.json()["to"][0]
    data.problems.a1.refresh_from_db()
    assert data.problems.a1.state == "planned"


def test_an_unknown_target_is_400(api, personas, discipline, data):
    login(api, personas.company)
    response = move(api, data.problems.a1, "done")
    assert response.status_code == 400
    assert "to" in response.json()


def test_a_bad_file_is_400_and_changes_nothing(api, personas, discipline, data):
    problem = data.problems.a1_overdue
    login(api, personas.secretary_a)
    fake = SimpleUploadedFile("照片.png", b"not an image at all", content_type="image/png")
    response = upload(api, problem, "submitted", fake)
    assert response.status_code == 400
    assert "照片.png" in response.json()["files"][0]
    problem.refresh_from_db()
    assert problem.state == "in_progress"
    assert not ProblemEvidence.objects.filter(problem=problem).exists()
    assert problem.events.count() == 1


# persona → status when verifying a2 (submitted, station_a2 under county_a)
VERIFY = {
    "company": 200,
    "county": 200,
    "discipline": 200,
    "secretary_a": 404,
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_verify_matrix(api, personas, discipline, data, persona):
    problem = data.problems.a2
    login(api, user_of(personas, discipline, persona))
    response = move(api, problem, "verified")
    assert response.status_code == VERIFY[persona], response.content
    problem.refresh_from_db()
    assert (problem.state == "verified") == (VERIFY[persona] == 200)


# persona → status when starting the rectification of a1 (planned, station_a1)
RECTIFY = {
    "company": 200,
    "county": 200,
    "discipline": 403,  # sees and verifies, does not rectify
    "secretary_a": 200,
    "secretary_b": 404,
    "member": 404,
    "outsider": 404,
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_rectify_matrix(api, personas, discipline, data, persona):
    problem = data.problems.a1
    login(api, user_of(personas, discipline, persona))
    response = move(api, problem, "in_progress")
    assert response.status_code == RECTIFY[persona], response.content
    if response.status_code == 403:
        assert response.json()["detail"] == "您无权执行该操作。"
    problem.refresh_from_db()
    assert (problem.state == "in_progress") == (RECTIFY[persona] == 200)


def test_the_secretary_cannot_verify_its_own_work(api, personas, discipline, data):
    problem = data.problems.a1_overdue
    login(api, personas.secretary_a)
    assert upload(api, problem, "submitted", png()).status_code == 200
    response = move(api, problem, "verified")
    assert response.status_code == 403
    problem.refresh_from_db()
    assert problem.state == "submitted"


def test_evidence_download_is_scoped(api, personas, discipline, data):
    problem = data.problems.a1_overdue
    login(api, personas.secretary_a)
    evidence_url = upload(api, problem, "submitted", png()).json()["evidence"][0]["url"]
    login(api, personas.secretary_b)
    assert api.get(evidence_url).status_code == 404
    login(api, personas.county)
    response = api.get(evidence_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
