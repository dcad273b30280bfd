"""Which deadlines are notices to the people affected, whose counts make each campaign's
population, and the legal condition under which a substitute notice (website posting, public
communication) may replace the direct one. Pure data and functions: no ORM.

What each condition rests on, and how sure it is, is said in ``SubstituteRule.confidence`` and
``source`` and repeated in docs/outreach.md. Nothing here decides for the user: the campaign form
states the condition and asks the person who selects substitute notice to say why it holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_EU_27 = "AT BE BG HR CY CZ DK EE FI FR DE GR IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
# Iceland, Liechtenstein and Norway apply the GDPR through the EEA Agreement.
EU_MEMBER_STATES = frozenset([*_EU_27.split(" "), "IS", "LI", "NO", "EU"])


@dataclass(frozen=True)
class SubstituteRule:
    """The legal condition for a substitute notice under one regime."""

    regime: str
    citation: str
    condition: Promise
    measure: Promise
    confidence: str  # high, medium, low: how well the stored sources confirm it
    source: str


SUBSTITUTE_RULES: dict[str, SubstituteRule] = {
    "kr_pipa": SubstituteRule(
        regime="kr_pipa",
        citation="개인정보 보호법 제34조제1항 단서; 시행령 제39조",
        condition=_(
            "The data subject's contact details are unknown, or there is another good cause "
            "(PIPA Art. 34(1) proviso)."
        ),
        measure=_(
            "A measure in lieu of the notice as the Enforcement Decree prescribes, such as a "
            "posting on the website. The decree's text (Art. 39) was not available: the posting "
            "period usually cited (at least 30 days) is not confirmed here."
        ),
        confidence="medium",
        source="prighter.com PIPA Art. 34 (English, current text); lawnb Art. 34 (2020 text); "
        "itwiki Art. 39-4 (2020 ICT special rule, same proviso)",
    ),
    "eu_gdpr": SubstituteRule(
        regime="eu_gdpr",
        citation="Regulation (EU) 2016/679, Art. 34(3)(c)",
        condition=_(
            "Communicating to each data subject would involve disproportionate effort (GDPR "
            "Art. 34(3)(c))."
        ),
        measure=_(
            "Instead, a public communication or similar measure that informs the data subjects "
            "in an equally effective manner."
        ),
        confidence="high",
        source="GDPR Art. 34(3)(c) (regulation text)",
    ),
    "us_hipaa": SubstituteRule(
        regime="us_hipaa",
        citation="45 CFR 164.404(d)(2)",
        condition=_(
            "Contact information is insufficient or out of date for some individuals "
            "(45 CFR 164.404(d)(2))."
        ),
        measure=_(
            "For 10 or more such individuals: a conspicuous posting on the home page for 90 days "
            "or notice in major print or broadcast media, with a toll-free number active for at "
            "least 90 days; for fewer than 10: another written notice, by telephone or otherwise."
        ),
        confidence="medium",
        source="REGULATIONS.md row h (substitute notice if contact details are insufficient); "
        "the 90-day and 10-person details from the rule's text as commonly summarised, not "
        "re-read in stored material",
    ),
    "us_state": SubstituteRule(
        regime="us_state",
        citation="Cal. Civ. Code 1798.82(j)(3); C.R.S. 6-1-716(1)(f)",
        condition=_(
            "The cost of notice would exceed USD 250,000, the people to notify exceed the "
            "statute's number (California 500,000; Colorado 250,000), or there is not enough "
            "contact information."
        ),
        measure=_(
            "E-mail where an address is known, a conspicuous posting on the website, and notice "
            "to major statewide media."
        ),
        confidence="low",
        source="statute texts not retrieved; from the common summary of the state statutes",
    ),
}


@dataclass(frozen=True)
class NoticeKind:
    """A catalogue code that is a notice to the people affected."""

    code: str
    regime: str
    covers: Callable[[str], bool]
    label: Promise


def _exactly(*codes: str) -> Callable[[str], bool]:
    wanted = frozenset(codes)
    return lambda jurisdiction: jurisdiction in wanted


def _us(jurisdiction: str) -> bool:
    return jurisdiction == "US" or jurisdiction.startswith("US-")


def _eu(jurisdiction: str) -> bool:
    return jurisdiction.split("-", 1)[0] in EU_MEMBER_STATES


# Every catalogue entry whose recipient is DATA-SUBJECTS, plus Colorado's combined notice to
# residents and the Attorney General (tests/outreach/test_law.py keeps this list complete).
NOTICE_KINDS: dict[str, NoticeKind] = {
    kind.code: kind
    for kind in (
        NoticeKind("kr-pipa-34-subject-notice", "kr_pipa", _exactly("KR"), _("PIPA notice")),
        NoticeKind(
            "kr-pipa-34-subject-notice-supplementary",
            "kr_pipa",
            _exactly("KR"),
            _("PIPA notice (newly identified)"),
        ),
        NoticeKind("eu-gdpr-34", "eu_gdpr", _eu, _("GDPR Art. 34 communication")),
        NoticeKind("us-hipaa-individuals", "us_hipaa", _us, _("HIPAA individual notice")),
        NoticeKind("us-ca-1798-82", "us_state", _exactly("US-CA"), _("California notice")),
        NoticeKind("us-co-6-1-716", "us_state", _exactly("US-CO"), _("Colorado notice")),
    )
}


def is_notice_code(code: str) -> bool:
    return code in NOTICE_KINDS


def population_jurisdictions(code: str, counted: Iterable[str]) -> list[str]:
    """Which of the counted jurisdictions make the population of a notice with ``code``.

    Where both a country total ("US") and its states ("US-CA") are counted, the states are used
    and the total is left out, so nobody is counted twice.
    """
    kind = NOTICE_KINDS[code]
    chosen = sorted(j for j in counted if kind.covers(j))
    subdivided = {j.split("-", 1)[0] for j in chosen if "-" in j}
    return [j for j in chosen if j not in subdivided]


def substitute_rule_for(code: str) -> SubstituteRule:
    return SUBSTITUTE_RULES[NOTICE_KINDS[code].regime]
