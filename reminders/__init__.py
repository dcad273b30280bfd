"""Reminders and escalations: a persisted schedule, swept every minute, delivered exactly once.

See docs/reminders.md. Layout: ``models`` (schedule, deliveries, policy, webhooks, digests),
``policy`` (pure planning of fire times), ``services`` (sync a deadline's schedule),
``receivers`` (run that sync when ``incidents`` signals a deadline change), ``sweep`` (claim, fan
out, dispatch), ``channels`` (e-mail, in-app, webhook), ``digest``, ``tasks`` (thin). The fault
harness behind ``manage.py reminder_faults`` is a developer tool: ``tools/faults/``.
"""
