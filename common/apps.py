from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        # Imported here, once the apps are loaded (it is about the database layer, not the
        # settings); connected in ready() so that every process (web, worker, command) has it
        # before its first query.
        from common.pg_timestamps import install

        connection_created.connect(install, dispatch_uid="common.pg_timestamps")
