"""Querysets of one incident's rows whose SQL is compiled once per thread and database, then run
with another incident's id.

Django compiled the incident page's row queries (``as_sql``: joins, select list, ordering) in
more time than PostgreSQL took to run them, on every request (docs/performance.md, "Incident page,
third pass"); the sign-in backend does the same for its user query (accounts/backends.py). The
rows are built as ``QuerySet`` iteration builds them: the compiler's converters on every column
(annotations included: SQLite answers datetimes as text), ``Model.from_db`` for the model's own
columns (so deferred fields stay deferred) and the annotations set as attributes.

Only for a queryset whose SQL has exactly one parameter equal to the incident id (a filter on it);
anything else is refused when first compiled. The compiler is kept per thread: its converters are
bound to the connection it was compiled on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet

# Stands for the incident's id while the query is compiled; replaced in its parameters.
_ANY_ID = -1_955_174


class CompiledQuery:
    def __init__(self, model: type[Model], build: Callable[[int], QuerySet[Any]]) -> None:
        """``build(incident_id)``: the queryset of one incident's rows of ``model``."""
        self._model = model
        self._build = build
        self._local = threading.local()

    def _compiled(self, alias: str) -> tuple[Any, str, list[Any], int, dict[int, Any]]:
        known: dict[str, Any] = self._local.__dict__.setdefault("by_alias", {})
        if alias not in known:
            compiler = self._build(_ANY_ID).query.get_compiler(alias)
            sql, params = compiler.as_sql()
            at = [i for i, value in enumerate(params) if value == _ANY_ID]
            if len(at) != 1 or compiler.klass_info is None:
                raise ValueError("a compiled query takes one incident id and reads model rows")
            converters = compiler.get_converters([col for col, *_rest in compiler.select])
            known[alias] = (compiler, sql, list(params), at[0], converters)
        return known[alias]  # type: ignore[no-any-return]

    def rows(self, incident_id: int) -> list[Any]:
        """The rows of incident ``incident_id``, as the queryset would give them."""
        alias = router.db_for_read(self._model)
        compiler, sql, params, at, converters = self._compiled(alias)
        params = [*params[:at], incident_id, *params[at + 1 :]]
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            results: Any = cursor.fetchall()
        if converters:
            results = compiler.apply_converters(results, converters)
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [col.target.attname for col, *_rest in compiler.select[start:end]]
        annotations = list(compiler.annotation_col_map.items())
        found = []
        for row in results:
            obj = klass_info["model"].from_db(alias, names, row[start:end])
            for name, position in annotations:
                setattr(obj, name, row[position])
            found.append(obj)
        return found
