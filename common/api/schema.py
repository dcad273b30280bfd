"""OpenAPI: every operation documents 400, 401, 403 and 404 with the shared error body."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema

from common.api.errors import ErrorSerializer

ERROR_CODES = {
    "400": "Invalid input: each field with its messages.",
    "401": "No valid credentials (send `Authorization: Token <key>`).",
    "403": "Your role does not allow this.",
    "404": "Not found, or not visible to you.",
}


class AutoSchema(BaseAutoSchema):
    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, description in ERROR_CODES.items():
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
