"""The model permissions of the ``admin`` role group: what docs/access.md promises admins on the
admin site ("manage incidents, members, rules, calendars, users").

Kept in step after every ``migrate`` (``post_migrate``, connected in ``IncidentsConfig.ready()``),
so a new model or a fresh database never leaves admins locked out. A person also needs "staff
status" to sign in to the admin site; the group gives the rights once they are in.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from common.roles import Role

# (app label, model) -> actions. Computed rows (deadlines, their history) and append-only records
# are viewable; their admin pages refuse edits regardless of permissions.
ADMIN_PERMISSIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("incidents", "incident"): ("add", "change", "delete", "view"),
    ("incidents", "membership"): ("add", "change", "delete", "view"),
    ("incidents", "legalentity"): ("add", "change", "view"),
    ("incidents", "affectedcountrevision"): ("add", "view"),
    ("incidents", "timelineevent"): ("add", "view"),
    ("incidents", "deadline"): ("view",),
    ("incidents", "deadlinealternative"): ("view",),
    ("incidents", "deadlinerecomputation"): ("view",),
    ("incidents", "filing"): ("add", "change", "view"),
    ("incidents", "filingdocument"): ("view",),
    ("incidents", "profile"): ("add", "change", "view"),
    # The reminder models may live in their own app; matched by model name.
    ("*", "reminderpolicy"): ("add", "change", "delete", "view"),
    ("*", "webhookendpoint"): ("add", "change", "delete", "view"),
    # Issue 16's records: read-only admin pages (every write goes through the pages and the API).
    ("actions", "actionitem"): ("view",),
    ("outreach", "noticecampaign"): ("view",),
    ("outreach", "noticebatch"): ("view",),
    ("records", "correspondence"): ("view",),
    ("records", "evidence"): ("view",),
    ("records", "custodyentry"): ("view",),
    ("regulators", "regulator"): ("add", "change", "view"),
    ("regulators", "obligation"): ("add", "change", "view"),
    ("regulators", "calendar"): ("add", "change", "view"),
    ("regulators", "calendarclosure"): ("add", "change", "delete", "view"),
    ("auth", "user"): ("add", "change", "view"),
    ("auth", "group"): ("view",),
}


def admin_group_permissions_sync(**kwargs: Any) -> None:
    """Make sure the four role groups exist and give ``admin`` exactly ``ADMIN_PERMISSIONS``.

    Idempotent. Runs after every ``migrate`` and also after ``flush`` (which sends post_migrate
    too): a flushed database (transactional tests, a reset demo) is then the migrated baseline
    again, as Django does for content types and permissions, so no test depends on the order in
    which transactional tests ran.
    """
    # post_migrate is sent once per app; act after the last one, when every app's permissions
    # exist (Django creates them in the same signal, app by app).
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if kwargs.get("app_config") not in (None, with_models[-1]):
        return
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    query = Q(pk__in=[])
    for (app_label, model), actions in ADMIN_PERMISSIONS.items():
        wanted = Q(
            content_type__model=model, codename__in=[f"{action}_{model}" for action in actions]
        )
        if app_label != "*":
            wanted &= Q(content_type__app_label=app_label)
        query |= wanted
    group, _created = Group.objects.get_or_create(name=Role.ADMIN.value)
    group.permissions.set(Permission.objects.filter(query))
