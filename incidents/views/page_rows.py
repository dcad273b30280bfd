"""The rows the incident page reads besides the incident: legal entities, count revisions,
deadlines (with their alternatives) and filings (with their documents), in four queries.

What a deadline or a filing names is not joined into its query when the page has it already:
legal entities, count revisions and deadlines are the page's own rows, and obligations and
regulators are catalogue rows held per process (regulators.rows). With those joins, PostgreSQL
spent several times longer planning the deadline query than running it, and Django compiling
it longer than both (docs/performance.md, "Incident page, third pass"). A deadline's
alternatives and a filing's documents come as a LEFT JOIN of the same query (one row per
alternative or document, folded here), not as a query of their own. Each query is compiled
once per process and run with each incident's id (common/compiled.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import router
from django.db.models import F

from common.compiled import CompiledModels
from incidents.models import AffectedCountRevision, Deadline, Filing, Incident, LegalEntity
from regulators.rows import catalogue_rows, regulators_by_id


@dataclass(frozen=True)
class AlternativeRow:
    """What the page shows of a deadline alternative (another basis's trigger and due time)."""

    basis: str
    trigger_at: datetime
    due_at: datetime | None
    verdict: str
    late_by_seconds: int | None


@dataclass(frozen=True)
class DocumentRow:
    """What the page shows of a filing's document: a download link with its name and size."""

    pk: int
    original_name: str
    size: int


@dataclass(frozen=True)
class PageRows:
    entities: list[LegalEntity]
    revisions: list[AffectedCountRevision]
    deadlines: list[Deadline]
    filings: list[Filing]


def read_rows(incident: Incident, generation: str) -> PageRows:
    """The page's rows; ``generation`` is the catalogue's generation token, just read."""
    entities = _ENTITIES.rows(using=router.db_for_read(LegalEntity), incident_id=incident.pk)
    revisions = _REVISIONS.rows(
        using=router.db_for_read(AffectedCountRevision), incident_id=incident.pk
    )
    deadlines = _deadlines(incident, entities, revisions, generation)
    return PageRows(entities, revisions, deadlines, _filings(incident, deadlines))


_ENTITIES = CompiledModels(
    lambda incident_id: LegalEntity.objects.filter(incident_id=incident_id).order_by("name"),
    prepared=True,
)
_REVISIONS = CompiledModels(
    lambda incident_id: AffectedCountRevision.objects.filter(incident_id=incident_id).order_by(
        "jurisdiction", "as_of", "id"
    ),
    prepared=True,
)
_DEADLINES = CompiledModels(
    lambda incident_id: (
        Deadline.objects.filter(incident_id=incident_id)
        # Shown on demand only (deadline_explanation).
        .defer("explanation", "applicability_reasons")
        .annotate(
            # The basis of the trigger is shown beside the alternatives; the name of who marked
            # the deadline not applicable beside that status.
            trigger_basis=F("trigger_event__basis"),
            not_applicable_by_name=F("not_applicable_by__username"),
            alt_id=F("alternatives__id"),
            alt_basis=F("alternatives__basis"),
            alt_trigger_at=F("alternatives__trigger_at"),
            alt_due_at=F("alternatives__due_at"),
            alt_verdict=F("alternatives__verdict"),
            alt_late_by_seconds=F("alternatives__late_by_seconds"),
        )
        # by_urgency(), then each deadline's alternatives in the order they were recorded.
        .order_by(F("due_at").asc(nulls_last=True), "id", "alternatives__id")
    ),
    prepared=True,
)
_FILINGS = CompiledModels(
    lambda incident_id: (
        Filing.objects.filter(incident_id=incident_id)
        .annotate(
            doc_id=F("documents__id"),
            doc_name=F("documents__original_name"),
            doc_size=F("documents__size"),
        )
        # The documents in FilingDocument's own order (when uploaded).
        .order_by("submitted_at", "id", "documents__uploaded_at", "documents__id")
    ),
    prepared=True,
)


def _deadlines(
    incident: Incident,
    entities: list[LegalEntity],
    revisions: list[AffectedCountRevision],
    generation: str,
) -> list[Deadline]:
    # Deadlines (Any: they carry the annotations and alternative_list set here).
    found: list[Any] = _grouped(
        _DEADLINES.rows(using=router.db_for_read(Deadline), incident_id=incident.pk),
        "alternative_list",
        lambda row: (
            AlternativeRow(
                row.alt_basis,
                row.alt_trigger_at,
                row.alt_due_at,
                row.alt_verdict,
                row.alt_late_by_seconds,
            )
            if row.alt_id is not None
            else None
        ),
    )
    # No catalogue read for an incident without deadlines that name it.
    named = any(d.obligation_id is not None or d.regulator_id is not None for d in found)
    catalogue = catalogue_rows(generation) if named else None
    obligations = catalogue.obligations if catalogue is not None else {}
    regulators = (
        regulators_by_id(catalogue, (d.regulator_id for d in found))
        if catalogue is not None
        else {}
    )
    by_entity = {entity.pk: entity for entity in entities}
    by_revision = {revision.pk: revision for revision in revisions}
    for deadline in found:
        # Rows of another incident or catalogue rows gone since are left to the descriptors
        # (read if asked for), never guessed.
        _attach(deadline, "legal_entity", by_entity)
        _attach(deadline, "trigger_revision", by_revision)
        _attach(deadline, "obligation", obligations)
        _attach(deadline, "regulator", regulators)
    return found


def _filings(incident: Incident, deadlines: list[Deadline]) -> list[Filing]:
    # Filings (Any: they carry the annotations and document_list set here).
    found: list[Any] = _grouped(
        _FILINGS.rows(using=router.db_for_read(Filing), incident_id=incident.pk),
        "document_list",
        lambda row: (
            DocumentRow(row.doc_id, row.doc_name, row.doc_size) if row.doc_id is not None else None
        ),
    )
    by_deadline = {deadline.pk: deadline for deadline in deadlines}
    for filing in found:
        _attach(filing, "deadline", by_deadline)
    return found


def _grouped(rows: list[Any], list_name: str, child: Callable[[Any], Any]) -> list[Any]:
    """Rows of a LEFT JOIN to their children (one row per child, or one with none), one per
    parent in order, each with its children's ``child(row)`` in ``list_name``."""
    parents: dict[int, Any] = {}
    for row in rows:
        parent = parents.get(row.pk)
        if parent is None:
            parent = parents[row.pk] = row
            setattr(row, list_name, [])
        item = child(row)
        if item is not None:
            getattr(parent, list_name).append(item)
    return list(parents.values())


def _attach(row: Any, name: str, known: dict[int, Any]) -> None:
    """Set a foreign key's object from rows already read, when it is among them."""
    pk = getattr(row, f"{name}_id")
    if pk is not None and pk in known:
        type(row)._meta.get_field(name).set_cached_value(row, known[pk])
