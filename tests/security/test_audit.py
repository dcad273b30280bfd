"""The audit log: every change is appended to a hash chain that detects edits and deletions."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from datetime import datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from audit.models import GENESIS_HASH, AuditEntry
from audit.services import audit_record, chain_head, verify_chain
from incidents.services import filing_submit, membership_add, timeline_event_record
from tests.factories import IncidentFactory, UserFactory

KST = ZoneInfo("Asia/Seoul")
ROOT = Path(__file__).resolve().parents[2]


def _raw_tamper(sql: str, params: list[object]) -> None:
    """Change the table behind the application's back, as a database administrator could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


@pytest.mark.django_db
def test_entries_are_chained_each_to_the_previous_hash() -> None:
    first = audit_record(action="export", actor_repr="system", changes={"format": "pdf"})
    second = audit_record(action="export", actor_repr="system", changes={"format": "json"})
    assert (first.seq, first.prev_hash) == (1, GENESIS_HASH)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    head = chain_head()
    assert (head["seq"], head["hash"]) == (2, second.hash)
    assert head["at"].endswith("+00:00")
    assert verify_chain().ok


@pytest.mark.django_db
def test_chain_head_of_an_empty_log_is_the_genesis_hash() -> None:
    assert chain_head() == {"seq": 0, "hash": GENESIS_HASH, "at": None}
    assert verify_chain().ok


@pytest.mark.django_db
def test_incident_changes_events_memberships_and_filings_are_audited(alice, bob, charlie) -> None:
    incident = IncidentFactory(owner=alice)
    membership_add(incident=incident, user=charlie)
    timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2025, 11, 18, 9, 0, tzinfo=KST),
        title="Aware",
        recorded_by=alice,
    )
    filing_submit(
        incident=incident,
        recipient="KISA",
        submitted_at=datetime(2025, 11, 19, 9, 0, tzinfo=KST),
        submitted_by=alice,
    )
    incident.title = "Renamed"  # type: ignore[assignment]
    incident.save()

    entries = AuditEntry.objects.filter(incident_id=incident.pk)
    kinds = {(e.object_type, e.action) for e in entries}
    assert ("incidents.incident", "create") in kinds
    assert ("incidents.membership", "create") in kinds
    assert ("incidents.timelineevent", "create") in kinds
    assert ("incidents.filing", "create") in kinds
    rename = entries.filter(object_type="incidents.incident", action="update").latest("seq")
    assert rename.changes["title"]["new"] == "Renamed"
    event = entries.get(object_type="incidents.timelineevent")
    assert event.actor_repr == "alice"
    assert verify_chain().ok


@pytest.mark.django_db
def test_a_save_that_changes_nothing_writes_no_entry(alice) -> None:
    incident = IncidentFactory(owner=alice)
    before = AuditEntry.objects.count()
    incident.save()  # only updated_at moves
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_rule_and_calendar_edits_are_audited(catalogue) -> None:
    from regulators.models import Calendar, Obligation

    obligation = Obligation.objects.first()
    obligation.notes = obligation.notes + " (edited)"
    obligation.save()
    calendar = Calendar.objects.first()
    calendar.name = calendar.name + " (edited)"
    calendar.save()
    types = set(AuditEntry.objects.filter(action="update").values_list("object_type", flat=True))
    assert {"regulators.obligation", "regulators.calendar"} <= types


@pytest.mark.django_db
def test_role_changes_are_audited(alice) -> None:
    from django.contrib.auth.models import Group

    alice.groups.add(Group.objects.get_or_create(name="admin")[0])
    entry = AuditEntry.objects.filter(object_type="auth.user", object_id=str(alice.pk)).latest(
        "seq"
    )
    assert entry.changes["groups"]["add"] == ["admin"]


@pytest.mark.django_db
def test_export_is_recorded_with_the_function_exports_call(bob, incident) -> None:
    entry = audit_record(action="export", actor=bob, obj=incident, changes={"format": "pdf"})
    assert entry.incident_id == incident.pk
    assert entry.actor_repr == "bob"
    assert entry.object_repr == str(incident)
    assert chain_head()["hash"] == entry.hash


@pytest.mark.django_db
def test_verify_audit_names_the_row_altered_with_raw_sql(alice) -> None:
    IncidentFactory(owner=alice)
    for n in range(5):
        audit_record(action="export", actor=alice, changes={"n": n})
    target = AuditEntry.objects.order_by("seq")[2]
    call_command("verify_audit", stdout=StringIO())  # intact before

    _raw_tamper("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["forged", target.pk])

    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit", stdout=StringIO())
    assert f"seq={target.seq}" in str(excinfo.value)
    assert "altered" in str(excinfo.value)


@pytest.mark.django_db
def test_verify_audit_detects_a_deleted_entry_at_the_next_one(alice) -> None:
    for n in range(4):
        audit_record(action="export", actor=alice, changes={"n": n})
    entries = list(AuditEntry.objects.order_by("seq"))
    victim = entries[-2]
    _raw_tamper("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == entries[-1].seq


@pytest.mark.django_db
def test_rewriting_a_row_and_its_hash_still_breaks_the_link_to_the_next(alice) -> None:
    for n in range(3):
        audit_record(action="export", actor=alice, changes={"n": n})
    first = list(AuditEntry.objects.order_by("seq"))[-3]
    _raw_tamper("UPDATE audit_auditentry SET hash = %s WHERE id = %s", ["f" * 64, first.pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_seq == first.seq  # its own hash no longer matches its content


@pytest.mark.django_db
def test_verify_audit_checks_a_stated_chain_head(alice) -> None:
    audit_record(action="export", actor=alice)
    head = chain_head()["hash"]
    out = StringIO()
    call_command("verify_audit", "--expect-head", head, stdout=out)
    assert "OK" in out.getvalue()
    with pytest.raises(CommandError, match="not in the log"):
        call_command("verify_audit", "--expect-head", "a" * 64, stdout=StringIO())


@pytest.mark.django_db
def test_the_database_itself_refuses_to_change_entries_on_postgresql(alice) -> None:
    entry = audit_record(action="export", actor=alice)
    if connection.vendor == "postgresql":
        for statement in (
            "UPDATE audit_auditentry SET action = 'login' WHERE id = %s",
            "DELETE FROM audit_auditentry WHERE id = %s",
        ):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement, [entry.pk])
        assert AuditEntry.objects.filter(pk=entry.pk, action="export").exists()
    else:
        # SQLite has no such guard; the hash chain is what catches a change there.
        _raw_tamper("UPDATE audit_auditentry SET action = 'login' WHERE id = %s", [entry.pk])
        assert verify_chain().broken_seq == entry.seq


@pytest.mark.django_db
def test_admin_shows_the_log_read_only(client, admin_user) -> None:
    from django.contrib.admin.sites import site

    entry = audit_record(action="export", actor=admin_user)
    model_admin = site._registry[AuditEntry]

    class Request:
        user = admin_user

    assert model_admin.has_view_permission(Request())  # type: ignore[arg-type]
    assert not model_admin.has_add_permission(Request())  # type: ignore[arg-type]
    assert not model_admin.has_change_permission(Request(), entry)  # type: ignore[arg-type]
    assert not model_admin.has_delete_permission(Request(), entry)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_admin_list_filters_and_refuses_deletion(client, admin_user) -> None:
    audit_record(action="export", actor=admin_user, changes={"format": "pdf"})
    audit_record(action="login", actor=admin_user)
    _verified_login(client, admin_user)
    response = client.get("/admin/audit/auditentry/?action__exact=export")
    assert response.status_code == 200
    rows = response.context["cl"].result_list
    assert rows
    assert all(row.action == "export" for row in rows)
    entry = AuditEntry.objects.latest("seq")
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {}).status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403


@pytest.mark.django_db
def test_a_non_admin_cannot_browse_the_log(client, alice) -> None:
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get("/admin/audit/auditentry/").status_code == 403


def _verified_login(client, user) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    device = StaticDevice.objects.create(user=user, name="test", confirmed=True)
    device.token_set.create(token="testcode1")
    client.force_login(user)
    response = client.post("/accounts/otp/", {"token": "testcode1"})
    assert response.status_code == 302, response.content


def _threads_append_concurrently() -> None:
    user = UserFactory(username="writer")
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            for i in range(10):
                audit_record(action="export", actor=user, changes={"writer": n, "i": i})
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    report = verify_chain()
    assert report.ok, report
    assert AuditEntry.objects.filter(action="export").count() == 40
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def _processes_append_concurrently_to_a_sqlite_file(tmp_path: Path) -> None:
    # The in-memory test database uses shared-cache locks that do not wait; the real SQLite
    # set-up is a file with BEGIN IMMEDIATE and a busy timeout, so test that with processes.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
    }
    run = functools.partial(
        subprocess.run, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    migrated = run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"])
    assert migrated.returncode == 0, migrated.stderr
    code = (
        "import django; django.setup()\n"
        "from audit.services import audit_record\n"
        "for i in range(10): audit_record(action='export', actor_repr='w', changes={'i': i})\n"
    )
    writers = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(4)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()
    verified = run([sys.executable, "manage.py", "verify_audit"])
    assert verified.returncode == 0, verified.stderr
    assert "Audit chain OK: 40 entries" in verified.stdout


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_never_fork_the_chain(tmp_path: Path) -> None:
    if connection.vendor == "postgresql":
        _threads_append_concurrently()
    else:
        _processes_append_concurrently_to_a_sqlite_file(tmp_path)
