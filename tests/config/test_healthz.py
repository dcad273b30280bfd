"""/healthz reports the database and the broker, 200 when both answer and 503 otherwise."""

from __future__ import annotations

from unittest import mock

import pytest


@pytest.mark.django_db
def test_healthz_is_200_when_database_and_broker_answer(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client) -> None:
    with mock.patch("incidents.health._broker_ok", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client) -> None:
    with mock.patch("incidents.health._database_ok", return_value=False):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
def test_healthz_needs_no_sign_in_but_refuses_post(client) -> None:
    assert client.post("/healthz").status_code == 405
