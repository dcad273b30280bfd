"""Notifying the people affected: the notification campaign of each data-subject notice
obligation and the notice drafts (issue 16 item 2)."""
