"""The law as data: regulators, obligations (one row per rule version) and business calendars.

Nothing here knows about incidents. ``regulators.engine`` turns these rows into pure-Python specs
(``Obligation.to_spec``) so the arithmetic stays testable without a database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from regulators.engine.applicability import validate_conditions
from regulators.engine.calendars import BusinessCalendar, Closure, builtin_calendar
from regulators.engine.catalogue import CODES, FILING_OF, TRIGGER_KINDS, trigger_labels
from regulators.engine.rules import RuleSpec
from regulators.engine.vocabulary import Confidence, DayZone, Precision, Unit, WeekendRelief
from regulators.validators import validate_time_zone


class Regulator(models.Model):
    """A body that receives reports (or a class of recipients such as data subjects)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ko = models.CharField(_("name (Korean)"), max_length=200)
    country = models.CharField(_("country or region"), max_length=10)
    website = models.URLField(_("website"), blank=True)
    filing_channel = models.CharField(_("filing channel"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("regulator")
        verbose_name_plural = _("regulators")

    def __str__(self) -> str:
        return f"{self.code}: {self.name_en}"


class Calendar(models.Model):
    """A business-day calendar: weekends, a public-holiday source, and admin closures."""

    class HolidaySource(models.TextChoices):
        KR = "KR", _("Korea public holidays")
        US = "US", _("US federal holidays (observed)")
        NONE = "", _("weekends only")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    holiday_source = models.CharField(
        _("holiday source"), max_length=10, choices=HolidaySource.choices, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.code

    @classmethod
    def engine_for(cls, code: str) -> BusinessCalendar:
        """The engine calendar for ``code``: the admin-maintained row (with its closures) when
        there is one, else the shipped calendar; ValueError for an unknown code."""

        row = cls.objects.filter(code=code).prefetch_related("closures").first()
        return row.to_engine() if row is not None else builtin_calendar(code)

    def to_engine(self) -> BusinessCalendar:

        closures = [
            Closure(day=c.day, confirmed=c.confirmed, label=c.label)
            for c in self.closures.all()
            if c.kind == CalendarClosure.Kind.CLOSED
        ]
        removed = [c.day for c in self.closures.all() if c.kind == CalendarClosure.Kind.OPEN]
        return BusinessCalendar(
            self.code, self.holiday_source or None, closures=closures, removed=removed
        )


class CalendarClosure(models.Model):
    """An admin-entered exception: an extra non-business day, or a holiday that is not one."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("closed (extra non-business day)")
        OPEN = "open", _("open (not a holiday after all)")

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="closures")
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.CLOSED)
    confirmed = models.BooleanField(
        _("confirmed"),
        default=True,
        help_text=_(
            "An unconfirmed closure counts as a business day (the earlier, safer due time); "
            "explanations name it."
        ),
    )
    label = models.CharField(_("label"), max_length=200)
    source = models.CharField(_("source"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "day"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "day"], name="closure_unique_day"),
        ]
        verbose_name = _("calendar closure")
        verbose_name_plural = _("calendar closures")

    def __str__(self) -> str:
        return f"{self.calendar.code} {self.day} {self.label}"


# Choices with translated labels for the engine's enums (regulators/engine/vocabulary.py): the
# one vocabulary for units, precision and confidence; no second enum for the same thing.
UNIT_CHOICES: list[tuple[str, Any]] = [
    (Unit.HOURS.value, _("clock hours")),
    (Unit.CALENDAR_DAYS.value, _("calendar days")),
    (Unit.BUSINESS_DAYS.value, _("business days")),
    (Unit.MONTHS.value, _("months")),
    (Unit.WITHOUT_DELAY.value, _("without delay (no legal number)")),
]
PRECISION_CHOICES: list[tuple[str, Any]] = [
    (Precision.EXACT.value, _("exact")),
    (Precision.DATE.value, _("date only")),
    (Precision.APPROXIMATE.value, _("approximate")),
]
CONFIDENCE_CHOICES: list[tuple[str, Any]] = [
    (Confidence.HIGH.value, _("high")),
    (Confidence.MEDIUM.value, _("medium")),
    (Confidence.LOW.value, _("low")),
    (Confidence.UNCONFIRMED.value, _("not confirmed")),
]
DAY_ZONE_CHOICES: list[tuple[str, Any]] = [
    (DayZone.RULE.value, _("the rule's time zone")),
    (DayZone.ENTITY.value, _("the entity's own time zone")),
    (DayZone.EARLIER.value, _("both zones, the earlier due time (law unsettled)")),
]
WEEKEND_RELIEF_CHOICES: list[tuple[str, Any]] = [
    (WeekendRelief.NONE.value, _("none")),
    (WeekendRelief.ALL.value, _("weekend relief for every entity")),
    (WeekendRelief.UNLESS_EXCLUDED.value, _("weekend relief unless the entity is excluded")),
]


class ObligationQuerySet(models.QuerySet["Obligation"]):
    def in_force_on(self, day: date) -> ObligationQuerySet:
        return self.filter(
            Q(effective_from__isnull=True) | Q(effective_from__lte=day),
            Q(effective_to__isnull=True) | Q(effective_to__gt=day),
        )


class Obligation(models.Model):
    """One version of a legal notification rule, identified by its stable code.

    Laws change: a new version gets a new row with the same code and a later effective_from;
    deadlines keep a reference to the version they were computed with.
    """

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    regulator = models.ForeignKey(
        Regulator, on_delete=models.PROTECT, related_name="obligations", verbose_name=_("regulator")
    )
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_ko = models.CharField(_("title (Korean)"), max_length=300)
    recipient_en = models.CharField(_("recipient (English)"), max_length=200)
    recipient_ko = models.CharField(_("recipient (Korean)"), max_length=200)
    citation = models.CharField(_("law citation"), max_length=300)
    trigger_kind = models.CharField(
        _("trigger"),
        max_length=80,
        help_text=_("Event kind that starts the clock, or filing_of:<code> for chained clocks."),
    )
    period_amount = models.PositiveIntegerField(
        _("period amount"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    period_unit = models.CharField(_("period unit"), max_length=4, choices=UNIT_CHOICES)
    calendar = models.ForeignKey(
        Calendar, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("calendar")
    )
    reference_tz = models.CharField(
        _("reference time zone"), max_length=64, validators=[validate_time_zone]
    )
    cutoff = models.TimeField(
        _("cut-off time"),
        null=True,
        blank=True,
        help_text=_("Day-based rules only; empty means 23:59:59."),
    )
    conditions = models.JSONField(
        _("applicability conditions"),
        default=dict,
        blank=True,
        help_text=_('{"all": [...]} / {"any": [...]} / {"fact": ..., "op": ..., "value": ...}'),
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_to = models.DateField(_("effective to (exclusive)"), null=True, blank=True)
    internal_target_amount = models.PositiveIntegerField(
        _("internal target amount"), null=True, blank=True
    )
    internal_target_unit = models.CharField(
        _("internal target unit"), max_length=4, choices=UNIT_CHOICES, blank=True
    )
    long_stop_hours = models.PositiveIntegerField(
        _("long stop (hours from awareness)"), null=True, blank=True
    )
    roll_forward = models.BooleanField(_("roll forward to the next business day"), default=False)
    day_zone = models.CharField(
        _("days counted in"), max_length=8, choices=DAY_ZONE_CHOICES, default=DayZone.RULE
    )
    weekend_relief = models.CharField(
        _("weekend relief (DORA)"),
        max_length=16,
        choices=WEEKEND_RELIEF_CHOICES,
        default=WeekendRelief.NONE,
    )
    first_day_counts = models.BooleanField(
        _("the trigger's day is day 1"),
        default=False,
        help_text=_("Calendar-day rules only: count the trigger's date as the first day."),
    )
    notes = models.TextField(_("notes"), blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=CONFIDENCE_CHOICES, default=Confidence.HIGH
    )
    source = models.TextField(_("source"), blank=True)
    history = HistoricalRecords()

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="obligation_code_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gt=models.F("effective_from")),
                name="obligation_effective_range",
            ),
            models.CheckConstraint(
                condition=Q(period_unit="none", period_amount__isnull=True)
                | (~Q(period_unit="none") & Q(period_amount__gte=1)),
                name="obligation_period_amount_matches_unit",
            ),
        ]
        indexes = [models.Index(fields=["code", "effective_from"])]
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def clean(self) -> None:

        errors: dict[str, list[str]] = {}
        if self.period_unit == Unit.WITHOUT_DELAY and self.period_amount is not None:
            errors.setdefault("period_amount", []).append(
                str(_("A 'without delay' rule has no period amount."))
            )
        if self.period_unit != Unit.WITHOUT_DELAY and not self.period_amount:
            errors.setdefault("period_amount", []).append(str(_("A period amount is required.")))
        if self.period_unit == Unit.BUSINESS_DAYS and self.calendar_id is None:
            errors.setdefault("calendar", []).append(str(_("Business-day rules need a calendar.")))
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            errors.setdefault("effective_to", []).append(str(_("The end must be after the start.")))
        try:
            validate_conditions(self.conditions or None)
        except ValueError as exc:
            errors.setdefault("conditions", []).append(str(exc))
        trigger_error = self._trigger_kind_error()
        if trigger_error:
            errors.setdefault("trigger_kind", []).append(trigger_error)
        if not errors:
            # The engine's own checks (e.g. an internal target needs both amount and unit): a
            # row it refuses would break every deadline computed from it.
            try:
                self.to_spec()
            except (ValueError, TypeError) as exc:
                errors.setdefault("__all__", []).append(str(exc))
        if self.code and not errors:
            overlapping = Obligation.objects.filter(code=self.code).exclude(pk=self.pk)
            start = self.effective_from or date.min
            end = self.effective_to or date.max
            for other in overlapping:
                o_start = other.effective_from or date.min
                o_end = other.effective_to or date.max
                if start < o_end and o_start < end:
                    errors.setdefault("effective_from", []).append(
                        str(
                            _("Overlaps version %(v)s of %(code)s.")
                            % {"v": other.version, "code": other.code}
                        )
                    )
        if errors:
            raise ValidationError(errors)

    def _trigger_kind_error(self) -> str:
        """A trigger kind outside the closed vocabulary would silently start no clock."""
        kind = self.trigger_kind or ""
        if kind.startswith(FILING_OF):
            source = kind.removeprefix(FILING_OF)
            if source in CODES or Obligation.objects.filter(code=source).exists():
                return ""
            return str(_("No obligation has the code %(code)s.") % {"code": source})
        if kind in TRIGGER_KINDS:
            return ""
        return str(
            _("Unknown trigger %(kind)s; use one of %(known)s, or filing_of:<code>.")
            % {"kind": kind, "known": ", ".join(TRIGGER_KINDS)}
        )

    def to_spec(self) -> RuleSpec:

        try:
            label_en, label_ko = trigger_labels(self.trigger_kind)
        except ValueError:
            label_en, label_ko = self.trigger_kind, self.trigger_kind
        return RuleSpec(
            code=self.code,
            version=self.version,
            title_en=self.title_en,
            title_ko=self.title_ko,
            period_amount=self.period_amount,
            period_unit=Unit(self.period_unit),
            calendar_code=self.calendar.code if self.calendar is not None else None,
            reference_tz=self.reference_tz,
            cutoff=self.cutoff,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
            internal_target_amount=self.internal_target_amount,
            internal_target_unit=Unit(self.internal_target_unit)
            if self.internal_target_unit
            else None,
            long_stop_hours=self.long_stop_hours,
            roll_forward=self.roll_forward,
            day_zone=DayZone(self.day_zone),
            weekend_relief=WeekendRelief(self.weekend_relief),
            first_day_counts=self.first_day_counts,
            trigger_label_en=label_en,
            trigger_label_ko=label_ko,
        )
