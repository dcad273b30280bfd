"""The audit log: an append-only list of entries chained by SHA-256 hashes.

Each entry's ``hash`` covers its own content and the previous entry's hash, so editing, inserting
or deleting a row anywhere but at the very end breaks the chain at that row
(``python manage.py verify_audit``). Cutting entries off the end is detected by comparing with a
chain head stated earlier (exports print it). Entries are written only by ``audit.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    UPLOAD = "upload", _("uploaded")
    DOWNLOAD = "download", _("downloaded")
    LOGIN = "login", _("signed in")
    LOGIN_FAILED = "login_failed", _("sign-in failed")
    LOGOUT = "logout", _("signed out")
    LOCKOUT = "lockout", _("locked out")
    OTP_VERIFIED = "otp_verified", _("two-factor check passed")
    OTP_FAILED = "otp_failed", _("two-factor check failed")
    OTP_ENROLLED = "otp_enrolled", _("two-factor enrolled")
    BACKUP_CODES = "backup_codes", _("backup codes issued")


class AuditEntry(models.Model):
    """One audited event. Never updated or deleted (admin is read-only; PostgreSQL trigger)."""

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    created_at = models.DateTimeField(_("at"), db_index=True)
    # No foreign keys: deleting a user or an incident must neither cascade into the log nor
    # rewrite it (SET_NULL would be an UPDATE that breaks the hash).
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_repr = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    incident_id = models.BigIntegerField(_("incident id"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        constraints = [
            # A fork (two entries claiming the same predecessor) is impossible at the DB level.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_entry_unique_prev_hash"),
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"[:200]


class TokenScope(models.Model):
    """Scope of an API token. A token without a scope row has full access (its user's rights)."""

    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.CASCADE, related_name="scope", verbose_name=_("token")
    )
    read_only = models.BooleanField(
        _("read-only"),
        default=True,
        help_text=_("A read-only token gets 403 for POST, PUT, PATCH and DELETE."),
    )
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("After this time the token is refused with 401. Empty: no expiry."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API token scope")
        verbose_name_plural = _("API token scopes")

    def __str__(self) -> str:
        return f"{self.token_id}: {'read-only' if self.read_only else 'read-write'}"
