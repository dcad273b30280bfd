"""One computation, four doors: the scheduler, the web what-if, the API what-if and
``manage.py deadline`` give the same due time for the same inputs.

The rule below has two versions with different calendars, and the database calendar of the
version in force has an admin closure; the long-stop rule needs the awareness time. Each was a
place where the four copies disagreed (first version's calendar, last version's calendar,
awareness ignored on the web page)."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from incidents import services
from incidents.models import Deadline
from regulators.computation import deadline_compute
from regulators.models import Calendar, CalendarClosure, Obligation, Regulator
from tests.conftest import add_korean_entity

KST = ZoneInfo("Asia/Seoul")
UTC = ZoneInfo("UTC")


def _rule(code: str, **fields) -> Obligation:
    values = {
        "code": code,
        "version": 1,
        "regulator": Regulator.objects.order_by("code").first(),
        "title_en": f"Test {code}",
        "title_ko": f"시험 {code}",
        "recipient_en": "KISA",
        "recipient_ko": "KISA",
        "citation": "test",
        "trigger_kind": "materiality_determination",
        "reference_tz": "Asia/Seoul",
    }
    values.update(fields)
    row = Obligation(**values)
    row.full_clean()
    row.save()
    return row


@pytest.fixture
def versioned(catalogue) -> str:
    """test-versioned: 5 business days; v1 (until 2030) counts weekends only, v2 (from 2030)
    Korean holidays, and the KR calendar has an admin closure on Wed 2030-03-06."""
    _rule(
        "test-versioned",
        period_amount=5,
        period_unit="bd",
        calendar=Calendar.objects.get(code="WEEKENDS"),
        effective_to=date(2030, 1, 1),
    )
    _rule(
        "test-versioned",
        version=2,
        period_amount=5,
        period_unit="bd",
        calendar=Calendar.objects.get(code="KR"),
        effective_from=date(2030, 1, 1),
    )
    CalendarClosure.objects.create(
        calendar=Calendar.objects.get(code="KR"), day=date(2030, 3, 6), label="Test closure"
    )
    return "test-versioned"


@pytest.fixture
def long_stop(catalogue) -> str:
    """test-long-stop: 4 hours from the trigger, but at most 24 hours from awareness."""
    _rule("test-long-stop", period_amount=4, period_unit="h", long_stop_hours=24)
    return "test-long-stop"


def _scheduler(incident, alice, code: str, trigger: datetime, awareness: datetime | None):
    add_korean_entity(incident)
    if awareness is not None:
        services.timeline_event_record(
            incident=incident, kind="awareness", occurred_at=awareness, title="aware"
        )
    services.timeline_event_record(
        incident=incident, kind="materiality_determination", occurred_at=trigger, title="material"
    )
    return Deadline.objects.get(incident=incident, code=code).due_at


def _web(client, code: str, trigger: datetime, awareness: datetime | None):
    local = trigger.astimezone(KST)
    query = {
        "obligation": code,
        "rule_tz": "Asia/Seoul",
        "trigger_date": local.date().isoformat(),
        "trigger_time": local.strftime("%H:%M"),
        "trigger_tz": "Asia/Seoul",
        "precision": "exact",
    }
    if awareness is not None:
        aware_local = awareness.astimezone(KST)
        query["awareness_date"] = aware_local.date().isoformat()
        query["awareness_time"] = aware_local.strftime("%H:%M")
    response = client.get(reverse("what_if"), query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.context["result"].due_at


def _api_client(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _api(api, code: str, trigger: datetime, awareness: datetime | None):
    body = {"code": code, "trigger": trigger.isoformat()}
    if awareness is not None:
        body["awareness"] = awareness.isoformat()
    response = api.post("/api/v1/what-if/", body, format="json")
    assert response.status_code == 200, response.json()
    return datetime.fromisoformat(response.json()["due_at"])


def _command(code: str, trigger: datetime, awareness: datetime | None):
    out = StringIO()
    extra = ["--awareness", awareness.isoformat()] if awareness is not None else []
    call_command("deadline", code, trigger.isoformat(), *extra, "--json", stdout=out)
    return datetime.fromisoformat(json.loads(out.getvalue())["due_at"])


@pytest.mark.parametrize(
    ("rule", "trigger", "awareness", "expected"),
    [
        # Mon 2030-03-04 10:00 KST + 5 KR business days, Wed 03-06 closed by the admin:
        # Tue 5, Thu 7, Fri 8, Mon 11, Tue 12 -> end of Tue 2030-03-12 in Seoul.
        (
            "versioned",
            datetime(2030, 3, 4, 10, 0, tzinfo=KST),
            None,
            datetime(2030, 3, 12, 23, 59, 59, tzinfo=KST),
        ),
        # Aware Mon 09:00, trigger Mon 06:00 next day (+21 h): 4 h would be 10:00, but the long
        # stop is 24 h from awareness, Tue 09:00.
        (
            "long_stop",
            datetime(2030, 3, 5, 6, 0, tzinfo=KST),
            datetime(2030, 3, 4, 9, 0, tzinfo=KST),
            datetime(2030, 3, 5, 9, 0, tzinfo=KST),
        ),
    ],
)
def test_scheduler_web_api_and_command_give_the_same_due_time(
    request, rule, trigger, awareness, expected, incident, alice, client
) -> None:
    code = request.getfixturevalue(rule)
    client.force_login(alice)
    answers = {
        "entry point": deadline_compute(
            code=code, trigger_at=trigger, awareness_at=awareness
        ).result.due_at,
        "scheduler": _scheduler(incident, alice, code, trigger, awareness),
        "web": _web(client, code, trigger, awareness),
        "api": _api(_api_client(alice), code, trigger, awareness),
        "command": _command(code, trigger, awareness),
    }
    assert {name: due.astimezone(UTC) for name, due in answers.items()} == dict.fromkeys(
        answers, expected.astimezone(UTC)
    )


def test_obligation_version_is_chosen_by_trigger_date_with_its_own_calendar(versioned) -> None:
    # Before 2030, v1 counts weekends only and the KR closure does not matter:
    # Mon 2029-03-05 + 5 business days -> Mon 2029-03-12 end of day.
    computed = deadline_compute(code=versioned, trigger_at=datetime(2029, 3, 5, 10, 0, tzinfo=KST))
    assert computed.obligation is not None
    assert computed.obligation.version == 1
    assert computed.result.due_at == datetime(2029, 3, 12, 23, 59, 59, tzinfo=KST)


def test_the_law_side_imports_nothing_from_incidents() -> None:
    """regulators (models, engine, computation, commands) stays below incidents. Its API package
    still borrows the shared DRF helpers from incidents.api until they move to a common package
    (issue #18)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "regulators"
    offenders = []
    for path in root.rglob("*.py"):
        if "api" in path.relative_to(root).parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "incidents"]
    assert offenders == []
