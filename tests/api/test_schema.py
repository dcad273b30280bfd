"""The OpenAPI document: generated without warnings, errors documented everywhere, docs offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "patch", "put", "delete"}


@pytest.fixture(scope="module")
def schema(tmp_path_factory, django_db_blocker) -> dict:
    out = Path(tmp_path_factory.mktemp("schema")) / "schema.yaml"
    with django_db_blocker.unblock():
        # --fail-on-warn: any warning (an undocumented type, an enum clash) fails the test.
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_every_operation_documents_its_errors_with_the_shared_body(schema) -> None:
    operations = [
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]
    assert len(operations) >= 35
    for path, method, op in operations:
        for code in ("400", "401", "403", "404"):
            content = op["responses"][code]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (path, method, code)
        assert op["responses"]["401"]["headers"]["WWW-Authenticate"]
    assert set(schema["components"]["schemas"]["Error"]["properties"]) == {
        "detail",
        "code",
        "errors",
    }


def test_token_auth_is_the_documented_scheme(schema) -> None:
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_no_operation_deletes(schema) -> None:
    assert not any("delete" in item for item in schema["paths"].values())


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_docs_are_served_without_a_cdn(alice, client, path) -> None:
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in html


def test_schema_needs_sign_in_and_lists_the_api(client, alice) -> None:
    # Security decision (docs/security.md): even the shapes are for signed-in users only.
    assert client.get("/api/schema/").status_code == 401
    client.force_login(alice)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/incidents/" in response.content
