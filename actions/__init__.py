"""Action items: tasks with an owner, a due time and a status, linked to a deadline, a regulator
request or an order (issue 16 item 1)."""
