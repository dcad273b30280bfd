"""Moving the reminder and export models into their own apps keeps every row (issue 18).

The database is migrated back to the state before the move, rows are written with the models as
they were then (``incidents.Reminder`` and so on), and the database is migrated forward again.
The rows must then read back through the new apps' models, with their relations, their content
types (same ids, new app label) and the permissions hanging off those content types.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exports.models import ExportJob, ExportLog, IcsFeedToken
from reminders.models import Delivery, DigestRun, Reminder, ReminderPolicy, WebhookEndpoint

BEFORE_MOVE = [("incidents", "0005_dashboard_indexes")]
MOVED = {
    "reminders": ["reminderpolicy", "reminder", "webhookendpoint", "digestrun", "delivery"],
    "exports": ["exportlog", "exportjob", "icsfeedtoken"],
}
DUE = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)


def _migrate(targets: list[tuple[str, str | None]] | None = None) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    plan_targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(plan_targets)
    executor.loader.build_graph()  # the applied set changed; later lookups need the new one
    return executor


@pytest.mark.django_db(transaction=True)
def test_reminder_and_export_rows_survive_the_move_to_their_own_apps() -> None:
    executor = _migrate(BEFORE_MOVE)
    old = executor.loader.project_state(BEFORE_MOVE).apps
    assert (
        "reminders",
        "0001_initial_from_incidents_tables",
    ) not in executor.loader.applied_migrations

    # Content types as a database from before the move has them, with a permission each.
    old_ct = old.get_model("contenttypes", "ContentType")
    old_permission = old.get_model("auth", "Permission")
    ct_ids = {}
    for models in MOVED.values():
        for model in models:
            ct, _created = old_ct.objects.get_or_create(app_label="incidents", model=model)
            ct_ids[model] = ct.pk
            old_permission.objects.get_or_create(
                content_type=ct, codename=f"view_{model}", defaults={"name": f"Can view {model}"}
            )

    user = old.get_model("auth", "User").objects.create(username="kim", email="kim@example.com")
    incident = old.get_model("incidents", "Incident").objects.create(
        reference="INC-2025-0042", title="Breach", owner=user
    )
    entity = old.get_model("incidents", "LegalEntity").objects.create(
        incident=incident, name="Shop Co.", country="KR"
    )
    deadline = old.get_model("incidents", "Deadline").objects.create(
        incident=incident,
        legal_entity=entity,
        code="kr-pipa-report",
        title="PIPC report",
        due_at=DUE,
    )
    notification = old.get_model("incidents", "Notification").objects.create(
        user=user, incident=incident, deadline=deadline, title="Due soon"
    )
    policy = old.get_model("incidents", "ReminderPolicy").objects.create(
        obligation_code="kr-pipa-report", offsets=["-24h"], recipient_roles=["legal"]
    )
    reminder = old.get_model("incidents", "Reminder").objects.create(
        deadline=deadline, key="-24h", kind="before", fire_at=DUE, due_at=DUE
    )
    endpoint = old.get_model("incidents", "WebhookEndpoint").objects.create(
        name="ops", url="https://hooks.example.com/x", secret="s3cret"
    )
    digest = old.get_model("incidents", "DigestRun").objects.create(
        user=user, local_date=DUE.date(), time_zone="UTC"
    )
    delivery = old.get_model("incidents", "Delivery").objects.create(
        reminder=reminder,
        user=user,
        channel="email",
        recipient_key=f"u:{user.pk}",
        notification=notification,
    )
    job = old.get_model("incidents", "ExportJob").objects.create(
        incident=incident, requested_by=user, format="xlsx", language="ko", time_zone="UTC"
    )
    log = old.get_model("incidents", "ExportLog").objects.create(
        user=user, incident=incident, format="csv", via="cli", size=123
    )
    token = old.get_model("incidents", "IcsFeedToken").objects.create(user=user, token="t" * 40)

    _migrate()

    assert ReminderPolicy.objects.get(pk=policy.pk).recipient_roles == ["legal"]
    moved_reminder = Reminder.objects.select_related("deadline__incident").get(pk=reminder.pk)
    assert (moved_reminder.key, moved_reminder.fire_at) == ("-24h", DUE)
    assert moved_reminder.deadline.incident.reference == "INC-2025-0042"
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == "https://hooks.example.com/x"
    assert DigestRun.objects.get(pk=digest.pk).local_date == DUE.date()
    moved_delivery = Delivery.objects.get(pk=delivery.pk)
    assert (moved_delivery.reminder_id, moved_delivery.notification_id) == (
        reminder.pk,
        notification.pk,
    )
    assert ExportJob.objects.get(pk=job.pk).format == "xlsx"
    assert ExportLog.objects.get(pk=log.pk).size == 123
    assert IcsFeedToken.objects.get(pk=token.pk).token == "t" * 40
    assert list(moved_reminder.deadline.reminders.values_list("pk", flat=True)) == [reminder.pk]

    # Content types kept their ids (so permissions and admin log entries follow), new label.
    for app, models in MOVED.items():
        for model in models:
            ct = ContentType.objects.get(pk=ct_ids[model])
            assert (ct.app_label, ct.model) == (app, model)
            assert Permission.objects.filter(content_type=ct, codename=f"view_{model}").exists()
    assert not ContentType.objects.filter(app_label="incidents", model="reminder").exists()
    assert ContentType.objects.get_for_model(Reminder).pk == ct_ids["reminder"]


@pytest.mark.django_db(transaction=True)
def test_a_flushed_database_is_the_migrated_baseline_again() -> None:
    # Transactional tests end with a flush; what the next test finds must not depend on the order
    # in which such tests ran: role groups, the admin group's permissions, the global policy.
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)

    assert set(Group.objects.values_list("name", flat=True)) >= {
        "viewer",
        "compliance",
        "legal",
        "admin",
    }
    admin_rights = set(
        Group.objects.get(name="admin").permissions.values_list("codename", flat=True)
    )
    assert {"change_incident", "view_deadline", "add_calendarclosure"} <= admin_rights
    assert {"view_actionitem", "view_evidence", "view_custodyentry"} <= admin_rights
    assert "change_deadline" not in admin_rights
    assert ReminderPolicy.objects.filter(obligation_code="").count() == 1
