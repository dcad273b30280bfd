"""The reminder fault harness (``manage.py reminder_faults``, ``bench_reminders``): real worker,
beat and Redis processes, real faults (including terminating database connections), and a count
of what actually left. Developer tooling: installed only by dev, test and harness settings.

``processes``: receiver, processes, cluster. ``scenarios``: fixture, counting, the four
scenarios and the benchmark.
"""

from tools.faults.processes import ROOT, SCENARIOS, Receiver, database_url
from tools.faults.scenarios import run_benchmark, run_scenario, run_scenarios, workdir

__all__ = [
    "ROOT",
    "SCENARIOS",
    "Receiver",
    "database_url",
    "run_benchmark",
    "run_scenario",
    "run_scenarios",
    "workdir",
]
