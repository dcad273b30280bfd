"""Benchmark the pure deadline engine: full computations (with explanation) per second per unit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tools import engine_bench as bench


class Command(BaseCommand):
    help = "Print deadline computations per second for each unit (one core)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=2.0, help="seconds per unit")

    def handle(self, *args: Any, **options: Any) -> None:
        for label, rate in bench.run(options["seconds"]):
            self.stdout.write(f"{label:<40} {rate:>12,.0f} per second")
