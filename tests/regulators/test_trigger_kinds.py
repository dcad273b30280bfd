"""Trigger kinds are one closed list (regulators.engine.catalogue.TRIGGER_KINDS), validated on
every obligation whichever door writes it, and each one is started by some timeline event."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from incidents.models import EventKind
from incidents.triggers import TRIGGER_EVENT_KINDS, scope_for_event_kinds
from regulators.engine.catalogue import CATALOGUE, TRIGGER_KINDS, _entry
from regulators.engine.rules import Unit
from regulators.models import Obligation, Regulator
from tests.factories import UserFactory


def _row(**overrides) -> Obligation:
    values = {
        "code": "test-rule",
        "regulator": Regulator.objects.order_by("code").first(),
        "title_en": "Test",
        "title_ko": "시험",
        "recipient_en": "KISA",
        "recipient_ko": "KISA",
        "citation": "test",
        "trigger_kind": "awareness",
        "period_amount": 24,
        "period_unit": "h",
        "reference_tz": "Asia/Seoul",
    }
    values.update(overrides)
    return Obligation(**values)


def test_every_trigger_kind_is_started_by_an_event_kind_and_no_other_is_mapped() -> None:
    assert set(TRIGGER_EVENT_KINDS) == set(TRIGGER_KINDS)
    assert "suspicion" not in TRIGGER_EVENT_KINDS
    assert all(TRIGGER_EVENT_KINDS.values())


def test_every_shipped_obligation_uses_the_vocabulary() -> None:
    for entry in CATALOGUE:
        kind = entry.trigger_kind
        assert kind in TRIGGER_KINDS or kind.removeprefix("filing_of:") in {
            e.code for e in CATALOGUE
        }


def test_catalogue_entry_with_a_typed_wrong_trigger_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown trigger kind"):
        _entry(
            "typo-rule",
            title_en="t",
            title_ko="t",
            amount=1,
            unit=Unit.HOURS,
            tz="Asia/Seoul",
            trigger_kind="awarness",
            regulator="kisa",
            recipient_en="r",
            recipient_ko="r",
            citation="c",
            conditions=None,
            notes="",
            confidence="high",
            source="",
        )


@pytest.mark.parametrize(
    ("kind", "accepted"),
    [
        ("awareness", True),
        ("filing_of:kr-network-act-48-3-initial", True),
        ("awarness", False),
        ("suspicion", False),
        ("filing_of:no-such-rule", False),
    ],
)
def test_obligation_trigger_kind_is_validated(catalogue, kind, accepted) -> None:
    row = _row(trigger_kind=kind)
    if accepted:
        row.full_clean()
    else:
        with pytest.raises(ValidationError) as excinfo:
            row.full_clean()
        assert "trigger_kind" in excinfo.value.message_dict


def test_api_refuses_an_obligation_with_an_unknown_trigger(catalogue) -> None:
    api = APIClient()
    api.force_authenticate(UserFactory(username="cat-admin", role="admin"))
    row = Obligation.objects.order_by("code").first()
    response = api.patch(
        f"/api/v1/obligations/{row.pk}/", {"trigger_kind": "awarness"}, format="json"
    )
    assert response.status_code == 400
    assert "trigger_kind" in response.json()["errors"]
    row.refresh_from_db()
    assert row.trigger_kind != "awarness"


def test_admin_refuses_an_obligation_with_an_unknown_trigger(catalogue, client) -> None:
    client.force_login(UserFactory(username="cat-super", is_superuser=True, is_staff=True))
    page = client.get(reverse("admin:regulators_obligation_add"))
    assert page.status_code == 200
    response = client.post(
        reverse("admin:regulators_obligation_add"),
        {
            "code": "typo-rule",
            "version": "1",
            "regulator": Regulator.objects.order_by("code").first().pk,
            "title_en": "t",
            "title_ko": "t",
            "recipient_en": "r",
            "recipient_ko": "r",
            "citation": "c",
            "trigger_kind": "awarness",
            "period_amount": "24",
            "period_unit": "h",
            "reference_tz": "Asia/Seoul",
            "conditions": "{}",
            "confidence": "high",
        },
    )
    assert response.status_code == 200
    assert "trigger_kind" in response.context["adminform"].form.errors
    assert not Obligation.objects.filter(code="typo-rule").exists()


def test_new_fact_and_count_revision_events_reach_the_follow_up_clocks(catalogue) -> None:
    """Incremental recomputation must not skip issue 14's supplementary clocks: a new fact or a
    count revision starts them, so both are in the scope of those writes; a note reaches none."""
    growth = set(
        Obligation.objects.filter(trigger_kind="scope_growth").values_list("code", flat=True)
    )
    assert growth
    assert growth <= set(scope_for_event_kinds({EventKind.NEW_FACT}).codes or ())
    assert all(scope_for_event_kinds({EventKind.COUNT_REVISION}).includes(c) for c in growth)
    note = scope_for_event_kinds({EventKind.NOTE})
    assert not any(note.includes(c) for c in growth)


def test_a_regulator_order_event_reaches_only_its_answer_clocks(catalogue) -> None:
    answers = set(
        Obligation.objects.filter(trigger_kind="preservation_order").values_list("code", flat=True)
    )
    assert answers
    scope = scope_for_event_kinds({"preservation_order"})
    assert scope.codes == frozenset(answers)
