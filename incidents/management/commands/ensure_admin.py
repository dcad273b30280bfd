"""Create the `admin` superuser once, with a random password printed once."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from common.roles import Role
from common.services import user_roles_set
from incidents.models import Profile


class Command(BaseCommand):
    help = "Create the admin superuser with a random password (printed once; never reset)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin login '{username}' already exists (password unchanged).")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser(username=username, email="", password=password)
        user_roles_set(user=user, roles=[Role.ADMIN])
        Profile.objects.get_or_create(user=user)
        self.stdout.write(
            self.style.SUCCESS(
                f"\n  Admin login created.\n  username: {username}\n  password: {password}\n"
                "  (shown once; change it in /admin/)\n"
            )
        )
