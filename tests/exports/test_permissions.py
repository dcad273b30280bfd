"""Every export endpoint is permission-checked like the pages, and every export is logged."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from exports.models import ExportLog

ENDPOINTS = [
    ("exports:pdf", {}),
    ("exports:xlsx", {}),
    ("exports:csv", {}),
    ("exports:json", {}),
    ("exports:draft", {"kind": "pipc"}),
    ("exports:draft", {"kind": "kisa"}),
    ("exports:draft", {"kind": "sec-8k"}),
    ("exports:draft", {"kind": "gdpr-33"}),
]


def _url(name: str, extra: dict[str, str], reference: str) -> str:
    return reverse(name, kwargs={"reference": reference, **extra})


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(("name", "extra"), ENDPOINTS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_user", 200),
        ("bob", 200),  # legal member
        ("compliance_member", 403),
        ("carol", 403),  # viewer member
        ("legal_outsider", 404),  # legal, but not a member: existence does not leak
    ],
)
def test_export_endpoint_answers_each_role_like_the_pages(
    request, rich_incident, name, extra, persona, expected
):
    user = request.getfixturevalue(persona)
    response = _client(user).get(_url(name, extra, rich_incident.reference))
    assert response.status_code == expected
    if expected == 200:
        assert response.get("Content-Disposition", "").startswith("attachment;")
        # The streamed CSV fills its size in once the body has been read.
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        log = ExportLog.objects.get()
        assert log.user == user
        assert log.incident == rich_incident
        assert log.via == "web"
        assert log.size
        assert log.size > 0
    else:
        assert not ExportLog.objects.exists()


@pytest.mark.parametrize(("name", "extra"), ENDPOINTS)
def test_anonymous_export_request_is_sent_to_the_login_page(rich_incident, name, extra):
    response = Client().get(_url(name, extra, rich_incident.reference))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_unknown_draft_kind_is_404(rich_incident, bob):
    response = _client(bob).get(
        reverse("exports:draft", kwargs={"reference": rich_incident.reference, "kind": "nope"})
    )
    assert response.status_code == 404


def test_unknown_incident_is_404_for_an_admin(admin_user, db):
    response = _client(admin_user).get(reverse("exports:json", kwargs={"reference": "INC-0"}))
    assert response.status_code == 404


def test_export_log_is_read_only_in_admin(admin_user, rich_incident, bob):
    _client(bob).get(reverse("exports:json", kwargs={"reference": rich_incident.reference}))
    log = ExportLog.objects.get()
    admin_user.is_superuser = True
    admin_user.save()
    client = _client(admin_user)
    changelist = client.get(reverse("admin:exports_exportlog_changelist"))
    assert changelist.status_code == 200
    assert "bob" in changelist.content.decode()
    detail = client.get(reverse("admin:exports_exportlog_change", args=[log.pk]))
    assert detail.status_code == 200
    assert b'name="_save"' not in detail.content
    assert client.get(reverse("admin:exports_exportlog_add")).status_code == 403
    assert client.post(reverse("admin:exports_exportlog_delete", args=[log.pk])).status_code == 403
    assert ExportLog.objects.filter(pk=log.pk).exists()


def test_export_links_include_is_shown_only_to_users_with_the_export_right(
    rich_incident, bob, carol
):
    from django.template.loader import render_to_string

    html = render_to_string("incidents/_exports.html", {"incident": rich_incident, "user": bob})
    assert reverse("exports:pdf", kwargs={"reference": rich_incident.reference}) in html
    assert "gdpr-33.docx" in html
    assert (
        render_to_string(
            "incidents/_exports.html", {"incident": rich_incident, "user": carol}
        ).strip()
        == ""
    )
