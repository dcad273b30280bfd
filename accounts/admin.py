"""The admin site's users page: Django's own, except that giving or taking a role (a group
named after one, ``common.roles.Role``) goes through ``common.services`` so that staff status
follows the admin role, as it does for the ``user_roles`` command and the SSO role mapping."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from common.services import user_staff_sync

User = get_user_model()

if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class RoleAwareUserAdmin(UserAdmin):  # type: ignore[type-arg]
    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The groups are saved here (after the user row): only now do the roles say who is staff.
        super().save_related(request, form, formsets, change)
        user_staff_sync(form.instance)
