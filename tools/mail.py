"""A file e-mail backend that writes each message whole and can say whether one was written.

Django's own file backend appends every message of a connection to one log file. This one writes
one file per message, named by its Message-ID, through a temporary file and a hard link, so that:

- a message is either wholly in the outbox or not at all (a killed writer leaves only a
  ``.tmp-*`` file, which is not a message);
- ``has_message(message_id)`` answers "did this delivery already leave?", which the sender asks
  before retrying an attempt that was interrupted between sending and recording it;
- a second message with the same Message-ID is *still written* (as ``<id>.<random>.eml``), so a
  count of the files shows a duplicate if one ever happens. Nothing is hidden by the outbox.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]")


def message_key(message_id: str) -> str:
    return _UNSAFE.sub("_", message_id.strip().strip("<>"))[:200]


class OutboxFileBackend(BaseEmailBackend):
    def __init__(self, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        path = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        path = path or os.environ.get("EMAIL_FILE_PATH")  # production settings do not read it
        if not path:
            path = str(Path(settings.VAR_DIR) / "outbox")
        self.file_path = Path(path)
        self.file_path.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            message_id = str(message.extra_headers.get("Message-ID") or uuid.uuid4().hex)
            key = message_key(message_id)
            data = message.message().as_bytes()
            tmp = self.file_path / f".tmp-{key}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            tmp.write_bytes(data)
            try:
                os.link(tmp, self.file_path / f"{key}.eml")
            except FileExistsError:
                tmp.rename(self.file_path / f"{key}.{uuid.uuid4().hex[:8]}.eml")
            else:
                tmp.unlink()
            sent += 1
        return sent

    def has_message(self, message_id: str) -> bool:
        return (self.file_path / f"{message_key(message_id)}.eml").exists()
