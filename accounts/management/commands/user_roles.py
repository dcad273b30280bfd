"""Show or set a user's roles: ``manage.py user_roles alice`` prints them,
``manage.py user_roles alice --set compliance legal`` makes them exactly those (``--set`` with no
role takes every role away). Staff status follows the admin role (``common.services``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from common.roles import Role, roles_of
from common.services import user_roles_set


class Command(BaseCommand):
    help = "Show or set a user's roles (viewer, compliance, legal, admin); staff follows admin."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--set",
            nargs="*",
            dest="roles",
            metavar="ROLE",
            help=f"The roles the user should have, exactly: {', '.join(r.value for r in Role)}.",
        )

    def handle(self, *args: Any, username: str, roles: list[str] | None, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username}.")
        if roles is not None:
            try:
                user_roles_set(user=user, roles=roles)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            user.refresh_from_db()
        names = sorted(role.value for role in roles_of(user))
        self.stdout.write(
            f"{username}: roles {', '.join(names) or '(none)'}; "
            f"staff {'yes' if user.is_staff else 'no'}"
            f"{'; superuser' if user.is_superuser else ''}"
        )
