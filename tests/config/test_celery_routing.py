"""Reminders and exports go to their own queues, so an export never waits in front of a reminder.

Checked on every task Celery has registered, by the module that defines it, so that a task added
(or moved to another app) without a route fails here.
"""

from __future__ import annotations

from config.celery import app


def _queue_of(task_name: str) -> str:
    route = app.amqp.router.route({}, task_name)
    return str(route["queue"].name)


def _our_tasks() -> dict[str, str]:
    app.loader.import_default_modules()
    return {
        name: task.__module__ for name, task in app.tasks.items() if not name.startswith("celery.")
    }


def test_every_reminder_task_goes_to_the_reminders_queue() -> None:
    tasks = {n: m for n, m in _our_tasks().items() if ".reminders." in f".{m}."}
    assert {"incidents.reminders.sweep", "incidents.reminders.send_deliveries"} <= set(tasks)
    assert {name: _queue_of(name) for name in tasks} == dict.fromkeys(tasks, "reminders")


def test_every_export_task_goes_to_the_exports_queue() -> None:
    tasks = {n: m for n, m in _our_tasks().items() if ".exports." in f".{m}."}
    assert tasks, "no export task registered"
    assert {name: _queue_of(name) for name in tasks} == dict.fromkeys(tasks, "exports")


def test_other_tasks_go_to_the_default_queue_which_the_reminders_workers_consume() -> None:
    others = {
        n
        for n, m in _our_tasks().items()
        if ".reminders." not in f".{m}." and ".exports." not in f".{m}."
    }
    assert "incidents.tasks.heartbeat" in others
    assert {_queue_of(name) for name in others} == {"celery"}


def test_a_worker_started_without_queues_consumes_all_three() -> None:
    # make run, the test worker and the fault harness start workers without -Q.
    assert {q.name for q in app.conf.task_queues} == {"celery", "reminders", "exports"}


def test_beat_uses_the_heartbeat_scheduler_and_wakes_at_least_every_30_seconds() -> None:
    assert app.conf.beat_scheduler == "config.beat:HeartbeatScheduler"
    assert app.conf.beat_max_loop_interval == 30
