"""Geometry for the incident page's SVG timeline and the affected-count chart.

Pure functions over already-loaded rows: the template only draws what is computed here, so the
page needs no JavaScript to show the timeline, and no extra queries.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineStatus,
    EventKind,
    TimelineEvent,
)
from incidents.templatetags.clock import deadline_title, instant_text, is_korean, localized_name
from incidents.views.cached_rows import EventRow

WIDTH = 1000
LABEL_WIDTH = 190
RIGHT_PAD = 24
TOP = 34
LANE_HEIGHT = 30

LANES: tuple[tuple[str, object, frozenset[str]], ...] = (
    (
        "access",
        _("Access and detection"),
        frozenset({EventKind.UNAUTHORISED_ACCESS, EventKind.DETECTION, EventKind.CONTAINMENT}),
    ),
    (
        "awareness",
        _("Awareness and decisions"),
        frozenset(
            {
                EventKind.AWARENESS,
                EventKind.MATERIALITY_DETERMINATION,
                EventKind.CLASSIFICATION_MAJOR,
                EventKind.ASSESSMENT,
                EventKind.NEW_FACT,
                EventKind.COUNT_REVISION,
            }
        ),
    ),
    (
        "regulators",
        _("Reports and requests"),
        frozenset(
            {
                EventKind.REGULATOR_REPORT,
                EventKind.REGULATOR_REQUEST,
                EventKind.PRESERVATION_ORDER,
                EventKind.MATERIALS_REQUEST,
                EventKind.PIPC_MATERIALS_REQUEST,
                EventKind.ONSITE_INSPECTION,
                EventKind.CORRECTIVE_ORDER,
                EventKind.PIPC_CORRECTIVE_ORDER,
                EventKind.PENALTY_NOTICE,
            }
        ),
    ),
    (
        "notices",
        _("Notices and public"),
        frozenset({EventKind.DATA_SUBJECT_NOTICE, EventKind.PUBLIC_DISCLOSURE, EventKind.PRESS}),
    ),
    ("other", _("Investigation and other"), frozenset()),
)


@dataclass
class Mark:
    x: float
    y: float
    label: str
    css: str
    href: str = ""
    shape: str = "circle"

    @property
    def diamond(self) -> str:
        r = 6
        return f"{self.x:.1f},{self.y - r:.1f} {self.x + r:.1f},{self.y:.1f} {self.x:.1f},{self.y + r:.1f} {self.x - r:.1f},{self.y:.1f}"


def _mark_html(mark: Mark) -> str:
    label = conditional_escape(mark.label)
    css = conditional_escape(mark.css)
    if mark.shape == "diamond":
        shape = (
            f'<polygon class="mark {css}" points="{conditional_escape(mark.diamond)}">'
            f"<title>{label}</title></polygon>"
        )
    else:
        # As {{ m.x|floatformat:'1u' }} and {{ m.y }} (localized) in the template.
        shape = (
            f'<circle class="mark {css}" cx="{floatformat(mark.x, "1u")}" '
            f'cy="{conditional_escape(localize(mark.y))}" r="5"><title>{label}</title></circle>'
        )
    return f'<a href="{conditional_escape(mark.href)}" aria-label="{label}">{shape}</a>'


@dataclass
class Lane:
    label: str
    y: float
    marks: list[Mark] = field(default_factory=list)

    @property
    def marks_html(self) -> SafeString:
        """The lane's marks as SVG, drawn here rather than by a loop of _incident_timeline.html
        (about 50 µs a mark there, drawn again after every event recorded), with the template's
        own filters and escaping: the same output."""
        return mark_safe("".join(_mark_html(mark) for mark in self.marks))  # noqa: S308  # nosec B308 B703 - every value escaped or formatted by a filter

    @property
    def short_label(self) -> str:
        """Fits the label column: Hangul glyphs are about twice as wide as Latin ones."""
        limit = 14 if is_korean() else 27
        return self.label if len(self.label) <= limit else self.label[: limit - 1] + "…"


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class TimelineChart:
    width: int
    height: int
    lanes: list[Lane]
    ticks: list[Tick]
    now_x: float | None
    now_label: str
    start: datetime
    end: datetime
    hidden: int
    label_width: int = LABEL_WIDTH

    @property
    def axis_y(self) -> int:
        return TOP - 12

    @property
    def plot_right(self) -> int:
        return self.width - RIGHT_PAD


_STEPS = [
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(days=1),
    timedelta(days=2),
    timedelta(days=7),
    timedelta(days=14),
    timedelta(days=30),
    timedelta(days=61),
    timedelta(days=91),
    timedelta(days=182),
    timedelta(days=365),
]


def _ticks(start: datetime, end: datetime, scale: float, x0: float) -> list[Tick]:
    span = end - start
    step = next((s for s in _STEPS if span / s <= 8), _STEPS[-1])
    tz = timezone.get_current_timezone()
    local = start.astimezone(tz)
    if step >= timedelta(days=1):
        cursor = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
        if step >= timedelta(days=30):
            cursor = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
    else:
        cursor = local.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    ticks: list[Tick] = []
    while cursor <= end and len(ticks) < 12:
        x = x0 + (cursor - start).total_seconds() * scale
        fmt = (
            "%Y-%m"
            if step >= timedelta(days=30)
            else ("%m-%d" if step >= timedelta(days=1) else "%m-%d %H:%M")
        )
        ticks.append(Tick(x, cursor.strftime(fmt)))
        if step >= timedelta(days=30):
            months = round(step.days / 30.4)
            month = cursor.month - 1 + months
            cursor = cursor.replace(year=cursor.year + month // 12, month=month % 12 + 1)
        else:
            cursor = cursor + step
    return ticks


def deadline_css(deadline: Deadline, now: datetime) -> str:
    if deadline.status == DeadlineStatus.FILED:
        # An uncertain verdict (date-only filing on the due date) is not shown as on time.
        return "late" if deadline.verdict in ("late", "uncertain") else "ontime"
    if deadline.status in (DeadlineStatus.NOT_APPLICABLE, DeadlineStatus.SUPERSEDED):
        return "muted"
    if deadline.due_at is None:
        return "nodue"
    if deadline.due_at < now:
        return "overdue"
    if deadline.due_at - now <= timedelta(hours=24):
        return "soon"
    return "open"


def build_timeline(
    events: Sequence[TimelineEvent] | Sequence[EventRow],
    deadlines: Sequence[Deadline],
    now: datetime,
    window: tuple[datetime, datetime] | None = None,
    hidden_events: Collection[int] = (),
) -> TimelineChart | None:
    """``hidden_events``: events the chronology leaves out (a long one shows its latest); their
    marks link to the whole chronology."""
    dated = [d for d in deadlines if d.due_at is not None and d.status != DeadlineStatus.SUPERSEDED]
    instants = [e.occurred_at for e in events] + [d.due_at for d in dated if d.due_at]
    if not instants:
        return None
    if window is not None:
        start, end = window
    else:
        start, end = min(instants), max(instants)
        if start <= now <= end + (end - start) * 0.1:
            end = max(end, now)
    if end - start < timedelta(hours=6):
        pad = timedelta(hours=3)
        start, end = start - pad, end + pad
    else:
        pad = (end - start) * 0.03
        start, end = start - pad, end + pad
    x0 = LABEL_WIDTH
    scale = (WIDTH - RIGHT_PAD - x0) / (end - start).total_seconds()

    def x_of(when: datetime) -> float:
        return x0 + (when - start).total_seconds() * scale

    lanes: list[Lane] = []
    hidden = 0
    event_lanes = {key: Lane(str(label), 0) for key, label, _kinds in LANES}
    for event in events:
        if not start <= event.occurred_at <= end:
            hidden += 1
            continue
        key = next((k for k, _l, kinds in LANES if event.kind in kinds), "other")
        css = "event superseded" if event.is_superseded else f"event kind-{event.kind}"
        label = f"{instant_text(event.occurred_at)} · {event.get_kind_display()}: {event.title}"
        show_all = "?chronology=all" if event.pk in hidden_events else ""
        event_lanes[key].marks.append(
            Mark(x_of(event.occurred_at), 0, label, css, href=f"{show_all}#event-{event.pk}")
        )
    lanes.extend(lane for lane in event_lanes.values() if lane.marks)
    by_regulator: dict[str, Lane] = {}
    for deadline in dated:
        if deadline.due_at is None:
            continue
        if not start <= deadline.due_at <= end:
            hidden += 1
            continue
        name = (
            localized_name(deadline.regulator) if deadline.regulator else str(_("Other deadlines"))
        )
        lane = by_regulator.setdefault(name, Lane(name, 0))
        label = f"{instant_text(deadline.due_at)} · {deadline_title(deadline)} ({deadline.legal_entity.name})"
        lane.marks.append(
            Mark(
                x_of(deadline.due_at),
                0,
                label,
                f"deadline {deadline_css(deadline, now)}",
                href=f"#deadline-{deadline.pk}",
                shape="diamond",
            )
        )
    lanes.extend(by_regulator[name] for name in sorted(by_regulator))
    for index, lane in enumerate(lanes):
        lane.y = TOP + index * LANE_HEIGHT + LANE_HEIGHT / 2
        for mark in lane.marks:
            mark.y = lane.y
    height = TOP + len(lanes) * LANE_HEIGHT + 8
    now_x = x_of(now) if start <= now <= end else None
    return TimelineChart(
        width=WIDTH,
        height=height,
        lanes=lanes,
        ticks=_ticks(start, end, scale, x0),
        now_x=now_x,
        now_label=str(_("now")),
        start=start,
        end=end,
        hidden=hidden,
    )


@dataclass
class CountSeries:
    jurisdiction: str
    current: int
    revisions: list[AffectedCountRevision]
    path: str
    points: list[tuple[float, float]]
    width: int = 240
    height: int = 56


def build_count_series(revisions: Iterable[AffectedCountRevision]) -> list[CountSeries]:
    """One small step chart per jurisdiction (its own scale: 640 and 33.7 million side by side)."""
    grouped: dict[str, list[AffectedCountRevision]] = {}
    for revision in revisions:
        grouped.setdefault(revision.jurisdiction, []).append(revision)
    series: list[CountSeries] = []
    for jurisdiction, rows in sorted(grouped.items()):
        rows.sort(key=lambda r: (r.as_of, r.pk))
        w, h, pad = 240, 56, 6
        t0, t1 = rows[0].as_of, rows[-1].as_of
        span = max((t1 - t0).total_seconds(), 1.0)
        top = max(r.count for r in rows) or 1
        points = [
            (
                pad + (r.as_of - t0).total_seconds() / span * (w - 2 * pad)
                if len(rows) > 1
                else w / 2,
                h - pad - r.count / top * (h - 2 * pad),
            )
            for r in rows
        ]
        path = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
        for x, y in points[1:]:
            path += f" H{x:.1f} V{y:.1f}"
        path += f" H{w - pad:.1f}"
        series.append(CountSeries(jurisdiction, rows[-1].count, rows, path, points))
    return series
