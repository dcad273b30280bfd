"""OpenAPI: every operation documents 400, 401, 403 and 404 with the shared error body; a view
that versions its rows documents the ETag it answers with and the If-Match it takes (with the
412 of a stale write) on the actions it names in ``etag_actions`` and ``if_match_actions``."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from common.api.errors import ErrorSerializer

ERROR_CODES = {
    "400": "Invalid input: each field with its messages.",
    "401": "No valid credentials (send `Authorization: Token <key>`).",
    "403": "Your role does not allow this.",
    "404": "Not found, or not visible to you.",
}

STALE = (
    "Precondition failed: the resource changed since the version given in If-Match; nothing "
    "was written. Read it again (GET), check the changes, and retry with the new ETag."
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "The ETag of the version you edited. If the resource changed since, the answer is 412 "
        "and nothing is written. Optional: without it, only the fields you send are saved."
    ),
)
ETAG_HEADER = {
    "ETag": {
        "schema": {"type": "string"},
        "description": "The resource's version; send it back in If-Match to change it.",
    }
}


class AutoSchema(BaseAutoSchema):
    def _action(self) -> str:
        return str(getattr(self.view, "action", "") or "")

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if self._action() in getattr(self.view, "if_match_actions", ()):
            parameters.append(IF_MATCH)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        action = self._action()
        if action in getattr(self.view, "etag_actions", ()):
            for code, body in responses.items():
                if code.startswith("2"):
                    body.setdefault("headers", {}).update(ETAG_HEADER)
        codes = dict(ERROR_CODES)
        if action in getattr(self.view, "if_match_actions", ()):
            codes["412"] = STALE
        for code, description in codes.items():
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                body["description"] = description
                if code == "401":
                    body["headers"] = {
                        "WWW-Authenticate": {
                            "schema": {"type": "string"},
                            "description": "The scheme to use: Token.",
                        }
                    }
                responses[code] = body
        return responses
