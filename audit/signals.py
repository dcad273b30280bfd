"""Receivers that feed the audit log. Connected once, in ``AuditConfig.ready()``.

- Every model with django-simple-history (incidents, memberships, legal entities, deadlines,
  filings, obligations, calendars, closures) through ``post_create_historical_record``.
- Append-only models without history (timeline events, count revisions, filing documents)
  through ``post_save`` / ``post_delete``.
- Role changes (a user's groups), sign-ins, failed sign-ins, sign-outs and lockouts.
- Document downloads (``incidents.signals.document_downloaded``).
- Evidence custody entries and correspondence links (``records.signals``).

The dependency runs audit -> incidents: incidents never imports audit, it sends signals.

Bulk ``QuerySet.update()`` bypasses model signals; services do not use it on audited models.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from audit.models import AuditAction
from audit.services import audit_record
from incidents.models import AffectedCountRevision, FilingDocument, TimelineEvent
from incidents.signals import document_downloaded
from outreach.signals import notice_draft_downloaded
from records.signals import correspondence_links_changed, custody_recorded

# Timestamps the database maintains on every save say nothing about what changed.
_NOISE_FIELDS = {"updated_at"}
_HISTORY_ACTIONS = {"+": AuditAction.CREATE, "~": AuditAction.UPDATE, "-": AuditAction.DELETE}


def _current_request() -> Any:
    # HistoryRequestMiddleware keeps the request in a context variable for the whole request.
    return getattr(HistoricalRecords.context, "request", None)


def _current_actor(default: Any = None) -> Any:
    if default is not None:
        return default
    request = _current_request()
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _snapshot(instance: Model) -> dict[str, Any]:
    return {
        field.attname: getattr(instance, field.attname)
        for field in instance._meta.concrete_fields
        if field.attname not in _NOISE_FIELDS
    }


def on_historical_record(
    sender: type[Model], instance: Model, history_instance: Any, **kwargs: Any
) -> None:
    action = _HISTORY_ACTIONS.get(history_instance.history_type, AuditAction.UPDATE)
    if action == AuditAction.UPDATE:
        previous = history_instance.prev_record
        if previous is None:
            changes: dict[str, Any] = _snapshot(instance)
        else:
            delta = history_instance.diff_against(previous, excluded_fields=list(_NOISE_FIELDS))
            if not delta.changes:
                return  # a save that changed nothing is not an event
            changes = {c.field: {"old": c.old, "new": c.new} for c in delta.changes}
    elif action == AuditAction.CREATE:
        changes = _snapshot(instance)
    else:
        changes = {}
    audit_record(
        action=action,
        actor=_current_actor(history_instance.history_user),
        obj=instance,
        changes=changes,
        request=_current_request(),
    )


def on_append_only_saved(
    sender: type[Model], instance: Model, created: bool, **kwargs: Any
) -> None:
    is_document = instance._meta.label_lower == "incidents.filingdocument"
    if created:
        action = AuditAction.UPLOAD if is_document else AuditAction.CREATE
    else:
        action = AuditAction.UPDATE
    audit_record(
        action=action,
        actor=_current_actor(
            getattr(instance, "recorded_by", None) or getattr(instance, "uploaded_by", None)
        ),
        obj=instance,
        changes=_snapshot(instance),
        request=_current_request(),
    )


def on_append_only_deleted(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.DELETE,
        actor=_current_actor(),
        obj=instance,
        changes=_snapshot(instance),
        request=_current_request(),
    )


def on_groups_changed(
    sender: type[Model], instance: Model, action: str, pk_set: set[int] | None, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    from django.contrib.auth.models import Group

    if isinstance(instance, get_user_model()):
        names = sorted(Group.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
        target: Model = instance
    else:  # group.user_set.add(...): instance is the group
        names = [str(instance)]
        target = instance
    audit_record(
        action=AuditAction.UPDATE,
        actor=_current_actor(),
        obj=target,
        changes={"groups": {action.removeprefix("post_"): names, "users": sorted(pk_set or ())}},
        request=_current_request(),
    )


def on_logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    # The SSO callback sets request.auth_method = "oidc"; everything else is a password.
    method = getattr(request, "auth_method", "password")
    audit_record(
        action=AuditAction.LOGIN, actor=user, obj=user, changes={"method": method}, request=request
    )


def on_logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(action=AuditAction.LOGOUT, actor=user, obj=user, request=request)


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any
) -> None:
    # Django has already replaced the password with asterisks; only the username is kept.
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor_repr=username,
        object_type="auth.user",
        object_repr=username,
        request=request,
    )


def on_locked_out(sender: Any, request: Any, username: str, ip_address: str, **kw: Any) -> None:
    audit_record(
        action=AuditAction.LOCKOUT,
        actor_repr=str(username or "")[:150],
        object_type="auth.user",
        object_repr=str(username or ""),
        ip=ip_address,
        request=request,
    )


def on_document_downloaded(
    sender: Any, document: Any, user: Any, request: Any = None, **kwargs: Any
) -> None:
    audit_record(
        action="download",
        actor=user,
        obj=document,
        incident_id=document.filing.incident_id,
        changes={"sha256": document.sha256},
        request=request,
    )


# Custody actions and the audit action each becomes ("view" has no audit choice of its own: the
# audit table keeps the raw word, which needs no migration of the audit app).
_CUSTODY_ACTIONS = {
    "uploaded": AuditAction.UPLOAD,
    "viewed": "view",
    "downloaded": AuditAction.DOWNLOAD,
    "exported": AuditAction.EXPORT,
}


def on_custody_recorded(sender: Any, entry: Any, request: Any = None, **kwargs: Any) -> None:
    evidence = entry.evidence
    audit_record(
        action=str(_CUSTODY_ACTIONS.get(entry.action, entry.action)),
        actor=entry.actor,
        actor_repr=entry.actor_repr,
        obj=evidence,
        incident_id=evidence.incident_id,
        changes={
            "custody": entry.action,
            "custody_entry": entry.pk,
            "sha256": evidence.sha256,
            **(entry.detail or {}),
        },
        request=request,
        ip=entry.ip,
    )


def on_correspondence_links_changed(
    sender: Any, correspondence: Any, links: dict[str, list[int]], actor: Any = None, **kw: Any
) -> None:
    audit_record(
        action=AuditAction.UPDATE,
        actor=_current_actor(actor),
        obj=correspondence,
        changes={"links": links},
        request=_current_request(),
    )


def on_notice_draft_downloaded(
    sender: Any, deadline: Any, user: Any, request: Any = None, **kwargs: Any
) -> None:
    # A notice draft is an export of incident data, logged like the filing drafts.
    audit_record(
        action=AuditAction.EXPORT,
        actor=user,
        obj=deadline,
        changes={
            "draft": "data_subject_notice",
            "language": kwargs.get("language", ""),
            "format": kwargs.get("fmt", ""),
            "size": kwargs.get("size", 0),
        },
        request=request,
    )


def connect() -> None:
    post_create_historical_record.connect(on_historical_record, dispatch_uid="audit-history")
    for model in (TimelineEvent, AffectedCountRevision, FilingDocument):
        post_save.connect(
            on_append_only_saved, sender=model, dispatch_uid=f"audit-save-{model.__name__}"
        )
        post_delete.connect(
            on_append_only_deleted, sender=model, dispatch_uid=f"audit-delete-{model.__name__}"
        )
    m2m_changed.connect(
        on_groups_changed, sender=get_user_model().groups.through, dispatch_uid="audit-groups"
    )
    notice_draft_downloaded.connect(on_notice_draft_downloaded, dispatch_uid="audit-notice-draft")
    user_logged_in.connect(on_logged_in, dispatch_uid="audit-login")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit-logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit-login-failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit-lockout")
    document_downloaded.connect(on_document_downloaded, dispatch_uid="audit-document-download")
    custody_recorded.connect(on_custody_recorded, dispatch_uid="audit-custody")
    correspondence_links_changed.connect(
        on_correspondence_links_changed, dispatch_uid="audit-correspondence-links"
    )
