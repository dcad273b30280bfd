"""Check the audit log's hash chain; exit non-zero and name the first broken entry if it fails."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEntry
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the tamper-evident audit log (hash chain). Names the first broken entry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--expect-head",
            default="",
            help="A chain-head hash printed earlier (e.g. in an export); fail if it is not in the log.",
        )

    def handle(self, *args: Any, expect_head: str, **options: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Audit chain BROKEN at entry seq={report.broken_seq} (id={report.broken_pk}): "
                f"{report.reason}. {report.count} entries before it verified."
            )
        if expect_head and not AuditEntry.objects.filter(hash=expect_head.strip().lower()).exists():
            raise CommandError(
                f"Chain head {expect_head} is not in the log: entries were removed or "
                "rewritten since it was stated."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain OK: {report.count} entries, head seq={report.head_seq} "
                f"hash={report.head_hash}"
            )
        )
