"""The search itself: one function for the page and the API, need-to-know on every hit.

PostgreSQL: each word is matched two ways, OR-ed: full-text search with the ``simple``
configuration and a prefix query (``유출:*`` finds "유출이", a noun with its particle), and a
substring match (``ILIKE``) on the kind's text, answered by a trigram index (pg_trgm) so that a
word inside a Korean compound ("개인정보유출") is found too. SQLite: ``icontains`` per field.
All words must match. Hits are newest first (the kind's date), kinds merged; no total count is
taken (counting a million matches would cost more than the page), only whether a next page exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.roles import is_admin
from incidents.selectors import incidents_visible_to
from search.registry import SearchKind, registered

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

MAX_TERMS = 8
PROBE = 1000  # matches read unordered before falling back to the date-ordered query
TRIGRAM = 3
EARLIEST = date.min + timedelta(2)  # days whose midnight converts to UTC without overflow
LATEST = date.max - timedelta(2)
SNIPPET_RADIUS = 70
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchQuery:
    text: str
    kinds: tuple[str, ...] = ()  # empty: every kind
    regulator: str = ""  # a regulator code
    date_from: date | None = None  # inclusive, in the viewer's time zone
    date_to: date | None = None  # inclusive
    status: str = ""  # the incident's status

    @property
    def terms(self) -> list[str]:
        return self.text.split()[:MAX_TERMS]


@dataclass
class Hit:
    kind: SearchKind
    obj: Any
    incident: Any
    at: datetime
    title_html: SafeString
    snippet_html: SafeString
    url: str


@dataclass
class SearchPage:
    hits: list[Hit] = field(default_factory=list)
    number: int = 1
    page_size: int = 20
    has_next: bool = False

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def highlight(text: str, terms: list[str]) -> SafeString:
    """``text`` HTML-escaped, each occurrence of a term wrapped in ``<mark>`` (also escaped)."""
    if not terms:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE
    )
    out: list[str] = []
    position = 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 - every piece is escaped


def snippet(texts: list[str], terms: list[str]) -> SafeString:
    """The first text that contains a term, cut around the first match and highlighted."""
    lowered = [t.lower() for t in terms]
    for text in texts:
        low = text.lower()
        starts = [low.find(t) for t in lowered if t in low]
        if not starts:
            continue
        first = min(starts)
        begin = max(0, first - SNIPPET_RADIUS)
        end = min(len(text), first + SNIPPET_RADIUS * 2)
        cut = text[begin:end]
        prefix = "… " if begin else ""
        suffix = " …" if end < len(text) else ""
        return mark_safe(f"{prefix}{highlight(cut, terms)}{suffix}")  # noqa: S308  # nosec B308 B703
    return mark_safe("")  # nosec B308 - an empty string


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def document_sql(model: Any, fields: tuple[str, ...], qualified: bool = True) -> str:
    """The kind's text as one SQL expression, the same expression the indexes are built on."""
    quote = connection.ops.quote_name
    table = f"{quote(model._meta.db_table)}." if qualified else ""
    return " || ' ' || ".join(f"{table}{quote(model._meta.get_field(f).column)}" for f in fields)


def _match(qs: QuerySet[Any], kind: SearchKind, terms: list[str], scoped: bool) -> QuerySet[Any]:
    if connection.vendor != "postgresql":
        for term in terms:
            either = Q()
            for name in kind.text_fields:
                either |= Q(**{f"{name}__icontains": term})
            qs = qs.filter(either)
        return qs
    doc = f"({document_sql(kind.model, kind.text_fields)})"
    words = [w for t in terms for w in _WORD.findall(t)]
    # A trigram index needs three characters; a shorter term would make PostgreSQL read the
    # whole index and recheck every row (seconds on a million events). Such terms are matched
    # as substrings only inside a member's own incidents; for everyone, as word prefixes.
    if scoped or all(len(t) >= TRIGRAM for t in terms):
        substring = " AND ".join(f"{doc} ILIKE %s" for _ in terms)
        params: list[str] = [_like_pattern(t) for t in terms]
    else:
        substring, params = "", []
    clauses = [f"({substring})"] if substring else []
    # A word's prefix match implies its substring match, so full-text search adds hits only for
    # words matched as prefixes alone (short ones) and terms with punctuation ("INC-2026"
    # matches "INC 2026" as two words); otherwise it would only cost a to_tsvector per row.
    if substring and all(_WORD.fullmatch(t) for t in terms):
        words = []
    if words:
        # \w excludes quotes and tsquery operators, so each quoted word is a plain lexeme.
        tsquery = " & ".join(f"'{w.lower()}':*" for w in words)
        clauses.insert(0, f"(to_tsvector('simple', {doc}) @@ to_tsquery('simple', %s))")
        params = [tsquery, *params]
    if not clauses:
        return qs.none()
    # The SQL text holds only quoted column names and fixed operators; user input is in params.
    condition = RawSQL(" OR ".join(clauses), params, output_field=BooleanField())  # noqa: S611  # nosec B611
    return qs.filter(condition)


def _day_start(day: date) -> datetime | None:
    """Midnight of ``day`` in the viewer's zone; None at the calendar's ends (year 1 or 9999
    would overflow in UTC), where the range is open on that side."""
    if not EARLIEST <= day <= LATEST:
        return None
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _kind_candidates(
    kind: SearchKind, query: SearchQuery, visible: QuerySet[Any] | None, limit: int
) -> list[tuple[datetime, int]]:
    """(date, pk) of the kind's newest ``limit`` matches.

    First an unordered probe for up to PROBE matches: without an ORDER BY, PostgreSQL answers it
    from the text indexes (few matches) or a short sequential scan (many). Ordering by date
    outright lets the planner walk the date index and filter row by row, which takes seconds
    when it misjudges a rare word as common. Only when the probe is full (a common word) is the
    ordered query run, and then the date index finds the newest matches at once.
    """
    qs: QuerySet[Any] = kind.base(kind.model._default_manager.all())
    if visible is not None:
        lookup = f"{kind.incident_path}__in" if kind.incident_path else "pk__in"
        qs = qs.filter(**{lookup: visible})
    if query.regulator:
        if kind.regulator is None:
            return []
        qs = kind.regulator(qs, query.regulator)
    if query.status:
        qs = qs.filter(**{kind.incident_field("status"): query.status})
    if (query.date_to and query.date_to < EARLIEST) or (
        query.date_from and query.date_from > LATEST
    ):
        return []  # a range that ends before any storable time or starts after it
    start = _day_start(query.date_from) if query.date_from else None
    end = _day_start(query.date_to) if query.date_to else None
    if start is not None:
        qs = qs.filter(**{f"{kind.date_field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{kind.date_field}__lt": end + timedelta(1)})
    qs = _match(qs, kind, query.terms, scoped=visible is not None)
    pairs = qs.order_by().values_list(kind.date_field, "pk")
    probe = list(pairs[: PROBE + 1])
    if len(probe) <= PROBE:
        return sorted(probe, reverse=True)[:limit]
    return list(pairs.order_by(f"-{kind.date_field}", "-pk")[:limit])


def _hit(kind: SearchKind, obj: Any, terms: list[str]) -> Hit:
    incident = getattr(obj, kind.incident_path) if kind.incident_path else obj
    texts = [str(getattr(obj, name) or "") for name in kind.text_fields]
    return Hit(
        kind=kind,
        obj=obj,
        incident=incident,
        at=getattr(obj, kind.date_field),
        title_html=highlight(kind.title(obj), terms),
        snippet_html=snippet(texts, terms),
        url=kind.url(obj),
    )


def search(
    *, user: User | AnonymousUser, query: SearchQuery, page: int = 1, page_size: int = 20
) -> SearchPage:
    """One page of hits the user may see, newest first. One query per kind searched (plus the
    user's visible incidents), whatever the data size."""
    if not user.is_authenticated or not query.terms:
        return SearchPage(number=page, page_size=page_size)
    offset = (page - 1) * page_size
    limit = offset + page_size + 1  # one more tells whether a next page exists
    # Need-to-know: the same scoping as every page (incidents.selectors), read once; an admin
    # sees everything, so no pointless semi-join over every incident.
    visible = None if is_admin(user) else incidents_visible_to(user)
    rows: list[tuple[datetime, str, int, SearchKind]] = []
    for kind in registered():
        if query.kinds and kind.key not in query.kinds:
            continue
        for at, pk in _kind_candidates(kind, query, visible, limit):
            rows.append((at, kind.key, pk, kind))
    rows.sort(key=lambda row: row[:3], reverse=True)
    chosen = rows[offset : offset + page_size]
    # Load the page's records: one query per model (events and requests share one).
    wanted: dict[Any, tuple[set[int], set[str]]] = {}
    for _at, _key, pk, kind in chosen:
        pks, related = wanted.setdefault(kind.model, (set(), set()))
        pks.add(pk)
        related.update(kind.select_related)
    loaded = {
        (model, obj.pk): obj
        for model, (pks, related) in wanted.items()
        for obj in model._default_manager.filter(pk__in=pks).select_related(*related)
    }
    return SearchPage(
        hits=[_hit(kind, loaded[(kind.model, pk)], query.terms) for _a, _k, pk, kind in chosen],
        number=page,
        page_size=page_size,
        has_next=len(rows) > offset + page_size,
    )
