"""Signals outreach sends so that apps above it (audit) can react without being imported here."""

from __future__ import annotations

from django.dispatch import Signal

# Sent when a user downloads a notice draft (``deadline=``, ``user=``, ``request=``,
# ``language=``, ``fmt=``, ``size=``). audit records it as an export, as it does filing drafts.
notice_draft_downloaded = Signal()
