"""GET /api/v1/search/: the role matrix, need-to-know, filters, escaping and the error body."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def refs(body) -> set[str]:
    return {hit["incident"] for hit in body["results"]}


def test_anonymous_gets_401_with_the_error_body(client_for, corpus):
    response = client_for(None).get("/api/v1/search/", {"q": "credential"})
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code", "errors"}


@pytest.mark.parametrize(
    ("who", "sees_incident", "sees_secret"),
    [
        ("carol", True, False),  # viewer member
        ("alice", True, False),  # compliance owner
        ("bob", True, False),  # legal member
        ("charlie", False, False),  # compliance outsider
        ("admin_user", True, True),
    ],
)
def test_role_matrix_and_need_to_know(client_for, corpus, request, who, sees_incident, sees_secret):
    client = client_for(request.getfixturevalue(who))
    response = client.get("/api/v1/search/", {"q": "credential"})
    assert response.status_code == 200
    found = refs(response.json())
    assert (corpus["incident"].reference in found) is sees_incident
    assert (corpus["secret"].reference in found) is sees_secret
    for hangul in ["유출", "비밀은행"]:
        body = client.get("/api/v1/search/", {"q": hangul}).json()
        assert (corpus["secret"].reference in refs(body)) is sees_secret


def test_hits_carry_kind_incident_url_and_escaped_highlights(client_for, alice, corpus):
    body = client_for(alice).get("/api/v1/search/", {"q": "유출", "kind": "event"}).json()
    assert body["page"] == 1
    assert body["has_next"] is False
    [hit] = body["results"]
    assert hit["kind"] == "event"
    assert hit["id"] == corpus["event"].pk
    assert hit["incident"] == corpus["incident"].reference
    assert hit["url"] == f"/incidents/{corpus['incident'].reference}/#event-{corpus['event'].pk}"
    assert "개인정보<mark>유출</mark>" in hit["snippet_highlighted"]
    assert "<script>" not in hit["snippet_highlighted"]
    assert "&lt;script&gt;" in hit["snippet_highlighted"]


def test_filters_and_paging_over_the_api(client_for, admin_user, corpus):
    client = client_for(admin_user)
    body = client.get("/api/v1/search/", {"q": "KISA", "regulator": "KISA-MSIT"}).json()
    assert {h["kind"] for h in body["results"]} == {"filing"}
    assert refs(body) == {corpus["incident"].reference, corpus["secret"].reference}
    first = client.get("/api/v1/search/", {"q": "credential", "page_size": 2}).json()
    second = client.get("/api/v1/search/", {"q": "credential", "page_size": 2, "page": 2}).json()
    assert first["has_next"] is True
    assert len(first["results"]) == 2
    ids = [(h["kind"], h["id"]) for h in first["results"] + second["results"]]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "a"}, "q"),
        ({"q": "credential", "kind": "spaceship"}, "kind"),
        ({"q": "credential", "date_to": "yesterday"}, "date_to"),
        ({"q": "credential", "status": "sleeping"}, "status"),
        ({"q": "credential", "page_size": "51"}, "page_size"),
        ({"q": "credential", "page": "-1"}, "page"),
        # An empty typed parameter is not "absent": the schema gives it a format (schemathesis).
        ({"q": "credential", "date_from": ""}, "date_from"),
        ({"q": "credential", "page_size": " "}, "page_size"),
        ({"q": "credential", "kind": ""}, "kind"),
    ],
)
def test_bad_input_is_a_400_with_the_project_error_body(client_for, alice, corpus, params, field):
    response = client_for(alice).get("/api/v1/search/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "credential", "date_from": "2026-03-05", "date_to": "2026-03-01"},
        {"q": "credential", "regulator": "NO-SUCH-REGULATOR"},
        {"q": "   "},
        {"q": "credential", "date_from": "0001-01-01", "date_to": "0001-01-01"},
    ],
)
def test_schema_valid_queries_that_match_nothing_are_answered_not_refused(
    client_for, alice, corpus, params
):
    response = client_for(alice).get("/api/v1/search/", params)
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_calendar_ends_are_open_bounds(client_for, alice, corpus):
    params = {"q": "credential", "date_from": "0001-01-01", "date_to": "9999-12-31"}
    body = client_for(alice).get("/api/v1/search/", params).json()
    assert corpus["incident"].reference in refs(body)


def test_the_endpoint_is_in_the_openapi_schema(client, alice):
    client.force_login(alice)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/search/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {
        "q",
        "kind",
        "regulator",
        "date_from",
        "date_to",
        "status",
        "page",
        "page_size",
    } <= names
    assert {"200", "400"} <= set(operation["responses"])
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/SearchOutput"}  # one page object, not an array
