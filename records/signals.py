"""Signals records sends so that apps above it (audit) can react without being imported here.

``custody_recorded`` is sent by ``records.services.custody_record`` inside its transaction with
``entry=`` (a CustodyEntry, its evidence loaded) and ``request=`` (or None). audit writes each
entry into the hash chain, so the custody log cannot be rewritten without breaking the chain.

``correspondence_links_changed`` is sent with ``correspondence=``, ``links=`` (the new sets of
event, filing and deadline ids) and ``actor=``: the history table does not see many-to-many
changes, the audit chain must.
"""

from __future__ import annotations

from django.dispatch import Signal

custody_recorded = Signal()
correspondence_links_changed = Signal()
