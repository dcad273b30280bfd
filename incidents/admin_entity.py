"""Legal entity fields in the admin explained as on the web form: each applicability fact and the
DORA entity type carry their one-line explanation (``incidents.applicability.fact_explanation``,
``incidents.forms_manage.DORA_ENTITY_TYPE_HELP``). Kept apart from ``incidents.admin``, which
is at the size limit."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from incidents.applicability import ENTITY_FACT_NAMES, fact_explanation
from incidents.forms_manage import DORA_ENTITY_TYPE_HELP


class EntityFactsExplainedMixin:
    """For a ModelAdmin or an inline of ``LegalEntity``."""

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]
        if field is not None:
            if db_field.name in ENTITY_FACT_NAMES:
                field.help_text = fact_explanation(db_field.name)
            elif db_field.name == "dora_entity_type":
                field.help_text = DORA_ENTITY_TYPE_HELP
        return field


__all__ = ["EntityFactsExplainedMixin"]
