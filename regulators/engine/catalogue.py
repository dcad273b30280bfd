"""The rule catalogue shipped out of the box (REGULATIONS.md section A), as plain data.

Every code of section A is here, exactly once per version; the Django side loads this into the
database, where admins maintain it (laws change, with effective dates). Where REGULATIONS.md says
"not confirmed", the entry says so in ``notes`` and carries ``confidence="unconfirmed"`` or a
lower confidence rather than guessing silently.

Pure Python, no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any, Final

from .rules import RuleSpec
from .vocabulary import Confidence, DayZone, Unit, WeekendRelief

__all__ = [
    "CATALOGUE",
    "CODES",
    "REGULATORS",
    "TRIGGER_KINDS",
    "CatalogueEntry",
    "Confidence",
    "entries_for",
    "regulators",
    "trigger_labels",
    "versions_for",
]

#: Event kinds that start a clock: kind -> (English label, Korean label). Chained clocks use
#: "filing_of:<code>" (recording that filing starts the next clock).
TRIGGER_KINDS: Final[dict[str, tuple[str, str]]] = {
    "awareness": ("awareness", "인지"),
    "discovery": ("discovery", "발견"),
    "materiality_determination": ("materiality determination", "중대성 판단"),
    "new_fact": ("determination of a new fact", "새로운 사실 확인"),
    "officer_departure": ("officer/director departure", "임원·이사 퇴임"),
    "breach_determination": ("determination that a breach occurred", "침해 발생 판단"),
    "assessment_notifiable": (
        "assessment that the breach is notifiable",
        "신고 대상 여부 평가 완료",
    ),
    "classification_major": ("classification as major", "주요 사고 분류"),
    # A newly confirmed fact or a count revision that raises the affected count: the follow-up
    # (supplementary) clocks of Korean law run from either.
    "scope_growth": (
        "newly confirmed fact or raised count",
        "새로 확인된 사실 또는 피해 규모 증가",
    ),
    # Regulator orders and notices: each is a timeline event kind of its own.
    "preservation_order": ("MSIT order to preserve data and logs", "과기정통부 자료 보전 명령"),
    "materials_request": ("MSIT request for materials", "과기정통부 자료 제출 요구"),
    "pipc_materials_request": ("PIPC request for materials", "개인정보위 자료 제출 요구"),
    "onsite_inspection": ("PIPC on-site inspection", "개인정보위 현장 조사"),
    "corrective_order": (
        "MSIT corrective / recurrence-prevention order",
        "과기정통부 시정·재발 방지 명령",
    ),
    "pipc_corrective_order": ("PIPC corrective order", "개인정보위 시정조치 명령"),
    "penalty_notice": ("receipt of a penalty or fine notice", "과징금·과태료 처분 통지 수령"),
}
FILING_OF: Final = "filing_of:"


def trigger_labels(kind: str) -> tuple[str, str]:
    """Default (English, Korean) label of a trigger kind, e.g. for explanations."""
    if kind.startswith(FILING_OF):
        code = kind.removeprefix(FILING_OF)
        return (f"filing of {code}", f"{code} 제출")
    if kind not in TRIGGER_KINDS:
        raise ValueError(
            f"Unknown trigger kind {kind!r}; expected one of {', '.join(TRIGGER_KINDS)} "
            f"or {FILING_OF}<code>."
        )
    return TRIGGER_KINDS[kind]


@dataclass(frozen=True)
class CatalogueEntry:
    """One version of one obligation: the rule arithmetic plus who, why and how sure."""

    rule: RuleSpec
    regulator: str
    recipient_en: str
    recipient_ko: str
    citation: str
    trigger_kind: str
    conditions: Mapping[str, Any] | None = field(default=None, hash=False)
    notes: str = ""
    confidence: str = Confidence.HIGH
    source: str = ""

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def version(self) -> int:
        return self.rule.version


# -- regulators ----------------------------------------------------------------------------------

#: (code, name_en, name_ko, country, website, filing_channel)
REGULATORS: Final[tuple[tuple[str, str, str, str, str, str], ...]] = (
    (
        "KISA-MSIT",
        "Ministry of Science and ICT (MSIT) or Korea Internet & Security Agency (KISA)",
        "과학기술정보통신부 또는 한국인터넷진흥원(KISA)",
        "KR",
        "https://www.boho.or.kr",
        "KISA infringement-incident report (web), e-mail, phone or in writing",
    ),
    (
        "PIPC",
        "Personal Information Protection Commission (PIPC) or KISA",
        "개인정보보호위원회 또는 한국인터넷진흥원(KISA)",
        "KR",
        "https://www.pipc.go.kr",
        "Personal-information leak report (privacy.go.kr portal) or in writing",
    ),
    (
        "FSC",
        "Financial Services Commission (commercial companies under the Credit Information Act: PIPC)",
        "금융위원회(신용정보법상 상거래기업은 개인정보보호위원회)",
        "KR",
        "https://www.fsc.go.kr",
        "FSC, or the body designated by decree (in practice the FSS); channel not confirmed",
    ),
    (
        "SEC",
        "U.S. Securities and Exchange Commission",
        "미국 증권거래위원회(SEC)",
        "US",
        "https://www.sec.gov/edgar",
        "EDGAR (Form 8-K); filings started after 17:30 ET get the next business day's date",
    ),
    (
        "HHS-OCR",
        "U.S. Department of Health and Human Services, Office for Civil Rights",
        "미국 보건복지부 민권국(HHS OCR)",
        "US",
        "https://ocrportal.hhs.gov/ocr/breach",
        "OCR breach portal",
    ),
    (
        "CA-AG",
        "California Attorney General",
        "캘리포니아주 법무장관",
        "US-CA",
        "https://oag.ca.gov/privacy/databreach/reporting",
        "Online submission of a sample of the residents' notice",
    ),
    (
        "TX-AG",
        "Texas Attorney General",
        "텍사스주 법무장관",
        "US-TX",
        "https://www.texasattorneygeneral.gov",
        "Attorney General online data-breach form",
    ),
    (
        "CO-AG",
        "Colorado Attorney General",
        "콜로라도주 법무장관",
        "US-CO",
        "https://coag.gov",
        "Attorney General data-breach notice",
    ),
    (
        "EU-DPA",
        "Lead or competent supervisory authority (GDPR)",
        "주관 또는 관할 감독기관(GDPR)",
        "EU",
        "https://www.edpb.europa.eu",
        "The authority's personal-data-breach notification form",
    ),
    (
        "ICO",
        "Information Commissioner's Office (UK)",
        "영국 정보위원회(ICO)",
        "GB",
        "https://ico.org.uk",
        "ICO personal data breach report (online or by phone)",
    ),
    (
        "EU-CSIRT",
        "National CSIRT or competent authority (NIS2)",
        "국가 CSIRT 또는 관할 당국(NIS2)",
        "EU",
        "https://csirtsnetwork.eu",
        "The Member State's NIS2 reporting platform",
    ),
    (
        "EU-NCA",
        "National competent authority (DORA)",
        "국가 관할 감독당국(DORA)",
        "EU",
        "https://eur-lex.europa.eu/eli/reg/2022/2554/oj",
        "ITS (EU) 2025/302 templates through the authority's channel",
    ),
    (
        "JP-PPC",
        "Personal Information Protection Commission (Japan)",
        "일본 개인정보보호위원회(PPC)",
        "JP",
        "https://www.ppc.go.jp",
        "PPC online leak report form (or the delegated ministry)",
    ),
    (
        "SG-PDPC",
        "Personal Data Protection Commission (Singapore)",
        "싱가포르 개인정보보호위원회(PDPC)",
        "SG",
        "https://www.pdpc.gov.sg",
        "PDPC data breach notification form",
    ),
    (
        "OAIC",
        "Office of the Australian Information Commissioner",
        "호주 정보위원회(OAIC)",
        "AU",
        "https://www.oaic.gov.au",
        "Notifiable data breach statement form",
    ),
    (
        "KR-ACAC",
        "Central Administrative Appeals Commission (or the competent appeals commission)",
        "중앙행정심판위원회(또는 관할 행정심판위원회)",
        "KR",
        "https://www.simpan.go.kr",
        "Online administrative appeal (simpan.go.kr) or in writing",
    ),
    (
        "KR-ADMIN-COURT",
        "Administrative court (Seoul Administrative Court or the competent district court)",
        "행정법원(서울행정법원 또는 관할 지방법원)",
        "KR",
        "https://ecfs.scourt.go.kr",
        "Electronic litigation (ecfs.scourt.go.kr) or in writing",
    ),
    (
        "DATA-SUBJECTS",
        "Affected individuals",
        "피해 정보주체",
        "ANY",
        "",
        "Direct notice (e-mail, SMS, letter); substitute notice or website posting where contact details are missing",
    ),
    (
        "MEDIA",
        "Prominent media outlets",
        "주요 언론 매체",
        "ANY",
        "",
        "Press release to prominent media serving the affected state or jurisdiction",
    ),
)


def regulators() -> list[tuple[str, str, str, str, str, str]]:
    """(code, name_en, name_ko, country, website, filing_channel) for every regulator code used."""
    return list(REGULATORS)


# -- conditions helpers --------------------------------------------------------------------------


def _true(fact: str) -> dict[str, Any]:
    return {"fact": fact, "op": "true"}


def _false(fact: str) -> dict[str, Any]:
    return {"fact": fact, "op": "false"}


def _cmp(fact: str, op: str, value: int) -> dict[str, Any]:
    return {"fact": fact, "op": op, "value": value}


def _scope(cc: str) -> dict[str, Any]:
    """The regime is involved: the jurisdiction is listed, or people there are affected."""
    return {
        "any": [
            {"fact": "jurisdictions", "op": "contains", "value": cc},
            _cmp(f"affected.{cc}", "gte", 1),
        ]
    }


def _all(*conds: dict[str, Any]) -> dict[str, Any]:
    return {"all": list(conds)}


def _any(*conds: dict[str, Any]) -> dict[str, Any]:
    return {"any": list(conds)}


# -- entries -------------------------------------------------------------------------------------

_EOD: Final = None  # cut-off None = 23:59:59
_EDGAR_CUTOFF: Final = time(17, 30)


def _entry(
    code: str,
    *,
    version: int = 1,
    title_en: str,
    title_ko: str,
    amount: int | None,
    unit: Unit,
    tz: str,
    calendar: str | None = None,
    cutoff: time | None = _EOD,
    effective_from: date | None = None,
    effective_to: date | None = None,
    internal: tuple[int, Unit] | None = None,
    long_stop_hours: int | None = None,
    roll_forward: bool = False,
    day_zone: DayZone = DayZone.RULE,
    weekend_relief: WeekendRelief = WeekendRelief.NONE,
    first_day_counts: bool = False,
    trigger_kind: str,
    trigger_en: str | None = None,
    trigger_ko: str | None = None,
    regulator: str,
    recipient_en: str,
    recipient_ko: str,
    citation: str,
    conditions: dict[str, Any] | None,
    notes: str,
    confidence: str,
    source: str,
) -> CatalogueEntry:
    default_en, default_ko = trigger_labels(trigger_kind)
    rule = RuleSpec(
        code=code,
        version=version,
        title_en=title_en,
        title_ko=title_ko,
        period_amount=amount,
        period_unit=unit,
        calendar_code=calendar,
        reference_tz=tz,
        cutoff=cutoff,
        effective_from=effective_from,
        effective_to=effective_to,
        internal_target_amount=internal[0] if internal else None,
        internal_target_unit=internal[1] if internal else None,
        long_stop_hours=long_stop_hours,
        roll_forward=roll_forward,
        day_zone=day_zone,
        weekend_relief=weekend_relief,
        first_day_counts=first_day_counts,
        trigger_label_en=trigger_en or default_en,
        trigger_label_ko=trigger_ko or default_ko,
    )
    return CatalogueEntry(
        rule=rule,
        regulator=regulator,
        recipient_en=recipient_en,
        recipient_ko=recipient_ko,
        citation=citation,
        trigger_kind=trigger_kind,
        conditions=conditions,
        notes=notes,
        confidence=confidence,
        source=source,
    )


H, CD, MO, NONE, BD = (
    Unit.HOURS,
    Unit.CALENDAR_DAYS,
    Unit.MONTHS,
    Unit.WITHOUT_DELAY,
    Unit.BUSINESS_DAYS,
)
SEOUL, NY, BRUSSELS = "Asia/Seoul", "America/New_York", "Europe/Brussels"

_NETWORK_ACT_SCOPE: Final = _all(
    _true("ict_service_provider"),
    _true("external_attack"),
    {"fact": "jurisdictions", "op": "contains", "value": "KR"},
)
_HIPAA: Final = (_true("hipaa_covered_entity"), _true("phi"))
_NIS2: Final = _all(_true("nis2_entity"), _true("significant_incident"))
_DORA: Final = _all(_true("eu_financial_entity"), _true("major_incident"))
_APPI_REPORTABLE: Final = _any(
    _true("sensitive_data"),
    _true("financial_damage_risk"),
    _true("unlawful_purpose"),
    _cmp("affected.JP", "gt", 1000),
)

CATALOGUE: Final[tuple[CatalogueEntry, ...]] = (
    # ---------------------------------------------------------------- Korea: Network Act
    _entry(
        "kr-network-act-48-3-initial",
        version=1,
        title_en="Network Act Art. 48-3 infringement incident report (statute: immediately)",
        title_ko="정보통신망법 제48조의3 침해사고 신고(법문: 즉시)",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        effective_to=date(2024, 8, 14),
        trigger_kind="awareness",
        trigger_en="awareness of the infringement incident",
        trigger_ko="침해사고 발생 인지",
        regulator="KISA-MSIT",
        recipient_en="Minister of Science and ICT or KISA",
        recipient_ko="과학기술정보통신부장관 또는 한국인터넷진흥원",
        citation="정보통신망법 제48조의3제1항 (text before 2024-08-14)",
        conditions=_NETWORK_ACT_SCOPE,
        notes="Before the 2024-08-14 amendment the Act said only 'immediately' (즉시); no precedent or "
        "official interpretation of how long that is (2023 law-firm newsletter). No legal due time.",
        confidence="high",
        source="lawtimes.co.kr / shinkim.com newsletter 2023-06-02; REGULATIONS.md C(a)",
    ),
    _entry(
        "kr-network-act-48-3-initial",
        version=2,
        title_en="Network Act Art. 48-3 infringement incident report (initial report, 24 h)",
        title_ko="정보통신망법 제48조의3 침해사고 최초 신고(24시간)",
        amount=24,
        unit=H,
        tz=SEOUL,
        effective_from=date(2024, 8, 14),
        trigger_kind="awareness",
        trigger_en="awareness of the infringement incident",
        trigger_ko="침해사고 발생 인지",
        regulator="KISA-MSIT",
        recipient_en="Minister of Science and ICT or KISA",
        recipient_ko="과학기술정보통신부장관 또는 한국인터넷진흥원",
        citation="정보통신망법 제48조의3제1항·제4항; 시행령 제58조의2",
        conditions=_NETWORK_ACT_SCOPE,
        notes="24 elapsed hours from becoming aware (침해사고의 발생을 알게 된 때), since 2024-08-14 "
        "(High). Content: date/time, cause and damage; response and measures; responsible "
        "department and contact. Fine for late reporting: MSIT cited a cap of KRW 30 M in the Coupang "
        "case (Medium); the date of the increase from KRW 10 M was not confirmed. Whether the 24 h rule "
        "moved from the Decree into the Act in 2025-2026 was not confirmed.",
        confidence="high",
        source="Kim & Chang newsletter; KDI/MSIT press summary 2024-08-13; zdnet.co.kr 2026-02-10",
    ),
    _entry(
        "kr-network-act-48-3-supplementary",
        title_en="Network Act Art. 48-3 supplementary report (each newly confirmed fact)",
        title_ko="정보통신망법 제48조의3 침해사고 보완 신고",
        amount=24,
        unit=H,
        tz=SEOUL,
        effective_from=date(2024, 8, 14),
        trigger_kind="scope_growth",
        trigger_en="confirmation of a new fact",
        trigger_ko="새로운 사실 확인",
        regulator="KISA-MSIT",
        recipient_en="Minister of Science and ICT or KISA",
        recipient_ko="과학기술정보통신부장관 또는 한국인터넷진흥원",
        citation="정보통신망법 제48조의3; 시행령 제58조의2",
        conditions=_NETWORK_ACT_SCOPE,
        notes="After an initial report: 24 h after each newly confirmed fact (one clock per fact). A "
        "count revision that raises the affected count in Korea is such a fact (issue #14).",
        confidence="high",
        source="Kim & Chang newsletter; KDI/MSIT press summary 2024-08-13",
    ),
    # ---------------------------------------------------------------- Korea: PIPA
    _entry(
        "kr-pipa-34-subject-notice",
        title_en="PIPA Art. 34(1) leak notice to data subjects",
        title_ko="개인정보 보호법 제34조제1항 정보주체 유출 통지",
        amount=72,
        unit=H,
        tz=SEOUL,
        effective_from=date(2023, 9, 15),
        trigger_kind="awareness",
        trigger_en="awareness of the leak",
        trigger_ko="유출 인지",
        regulator="DATA-SUBJECTS",
        recipient_en="Affected data subjects",
        recipient_ko="피해 정보주체",
        citation="개인정보 보호법 제34조제1항; 시행령 제39조",
        conditions=_all(_cmp("affected.KR", "gte", 1)),
        notes="Statute: without delay; Decree: within 72 h of awareness (High). Any leak of 1+ person. "
        "Items not yet confirmed may follow; website posting of at least 30 days if contact details are "
        "unknown (Decree details from recollection, Low-Medium). A 2026 amendment moves the trigger to "
        "awareness of a possibility of a breach; effective date not confirmed.",
        confidence="high",
        source="DLA Piper 'Data Protection in South Korea'; prighter PIPA Art. 34",
    ),
    _entry(
        "kr-pipa-34-pipc-report",
        title_en="PIPA Art. 34(3) leak report to the PIPC or KISA",
        title_ko="개인정보 보호법 제34조제3항 개인정보 유출 신고",
        amount=72,
        unit=H,
        tz=SEOUL,
        effective_from=date(2023, 9, 15),
        trigger_kind="awareness",
        trigger_en="awareness of the leak",
        trigger_ko="유출 인지",
        regulator="PIPC",
        recipient_en="Personal Information Protection Commission or KISA",
        recipient_ko="개인정보보호위원회 또는 한국인터넷진흥원",
        citation="개인정보 보호법 제34조제3항; 시행령 제40조",
        conditions=_all(
            _cmp("affected.KR", "gte", 1),
            _any(
                _cmp("affected.KR", "gte", 1000),
                _true("sensitive_data"),
                _true("unique_identifiers"),
                _true("external_attack"),
            ),
        ),
        notes="72 h where 1,000+ data subjects, sensitive or unique identifying information, or "
        "unlawful external access (hacking). Not needed if retrieval or deletion makes infringement "
        "significantly unlikely. Additional reports as facts are confirmed.",
        confidence="high",
        source="DLA Piper; Chambers (2023 draft decree); MSIT/PIPC release 2025-11-29",
    ),
    _entry(
        "kr-pipa-34-subject-notice-supplementary",
        title_en="PIPA Art. 34(1) notice to newly identified data subjects (scope grew)",
        title_ko="개인정보 보호법 제34조제1항 추가 확인된 정보주체 통지",
        amount=72,
        unit=H,
        tz=SEOUL,
        effective_from=date(2023, 9, 15),
        trigger_kind="scope_growth",
        trigger_en="confirmation that more data subjects are affected",
        trigger_ko="추가 피해 정보주체 확인",
        regulator="DATA-SUBJECTS",
        recipient_en="Newly identified data subjects",
        recipient_ko="추가로 확인된 피해 정보주체",
        citation="개인정보 보호법 제34조제1항; 시행령 제39조",
        conditions=_all(_cmp("affected.KR", "gte", 1)),
        notes="The 72 h notice runs from awareness of each person's leak: when a count revision raises "
        "the Korean count (or a new fact is confirmed), the newly identified data subjects are owed "
        "the notice within 72 h of that confirmation. Decree Art. 39 lets items not yet confirmed "
        "follow once confirmed (Decree details from recollection, Medium).",
        confidence="medium",
        source="DLA Piper; prighter PIPA Art. 34; REGULATIONS.md C(b1)",
    ),
    _entry(
        "kr-pipa-34-pipc-supplementary",
        title_en="PIPA Art. 34(3) supplementary leak report to the PIPC or KISA (scope grew)",
        title_ko="개인정보 보호법 제34조제3항 개인정보 유출 추가 신고",
        amount=72,
        unit=H,
        tz=SEOUL,
        effective_from=date(2023, 9, 15),
        trigger_kind="scope_growth",
        trigger_en="confirmation of new facts or a larger scope",
        trigger_ko="새로운 사실 또는 피해 규모 확인",
        regulator="PIPC",
        recipient_en="Personal Information Protection Commission or KISA",
        recipient_ko="개인정보보호위원회 또는 한국인터넷진흥원",
        citation="개인정보 보호법 제34조제3항; 시행령 제39조·제40조",
        conditions=_all(
            _cmp("affected.KR", "gte", 1),
            _any(
                _cmp("affected.KR", "gte", 1000),
                _true("sensitive_data"),
                _true("unique_identifiers"),
                _true("external_attack"),
            ),
        ),
        notes="Where the report threshold of Decree Art. 40 is met, facts confirmed after the first "
        "report (a larger count, new data items) are reported additionally; 72 h from the "
        "confirmation is applied, mirroring the first report (Decree Art. 39-40 staged reporting; "
        "the decree text itself was not retrieved: Medium). The PIPC received Coupang's second "
        "report on 2025-11-29, two days after the 33.7 M count (MSIT/PIPC release 2025-11-29).",
        confidence="medium",
        source="DLA Piper; Chambers (2023 draft decree); SBS/MSIT release 2025-11-29",
    ),
    # ---------------------------------------------------------------- Korea: regulator orders
    _entry(
        "kr-network-act-48-4-preservation",
        title_en="Network Act Art. 48-4 order to preserve data and logs",
        title_ko="정보통신망법 제48조의4 침해사고 관련 자료 보전 명령",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="preservation_order",
        regulator="KISA-MSIT",
        recipient_en="Minister of Science and ICT (comply; keep the data and logs)",
        recipient_ko="과학기술정보통신부장관(자료·접속기록 보전 이행)",
        citation="정보통신망법 제48조의4제3항",
        conditions=_scope("KR"),
        notes="MSIT may order the provider to preserve access logs and related data to analyse the "
        "cause of an infringement incident. The Act sets no response period: comply at once; the "
        "answer-by time is the one the order names, entered from the order. Breach of the order "
        "was referred to the police in the Coupang case (MSIT 2025-12-31).",
        confidence="medium",
        source="REGULATIONS.md timeline 2025-11/12; asiae 2025-12-31; zdnet 2026-02-10",
    ),
    _entry(
        "kr-network-act-64-materials",
        title_en="Network Act Art. 64 request for materials (MSIT)",
        title_ko="정보통신망법 제64조 자료 제출 요구(과기정통부)",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="materials_request",
        regulator="KISA-MSIT",
        recipient_en="Minister of Science and ICT",
        recipient_ko="과학기술정보통신부장관",
        citation="정보통신망법 제64조제1항",
        conditions=_scope("KR"),
        notes="MSIT may require the submission of goods, documents and materials. No statutory "
        "period: the request names its answer-by date, entered from the request; without one the "
        "answer is owed as soon as possible.",
        confidence="high",
        source="Network Act Art. 64 (law.go.kr); REGULATIONS.md",
    ),
    _entry(
        "kr-pipa-63-materials",
        title_en="PIPA Art. 63(1) request for materials (PIPC)",
        title_ko="개인정보 보호법 제63조제1항 자료 제출 요구(개인정보위)",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="pipc_materials_request",
        regulator="PIPC",
        recipient_en="Personal Information Protection Commission",
        recipient_ko="개인정보보호위원회",
        citation="개인정보 보호법 제63조제1항",
        conditions=_scope("KR"),
        notes="The PIPC may require goods and documents. No statutory period: the answer-by date is "
        "the one the request names. The PIPC warned Coupang about late or missing submissions "
        "(plenary 2026-01-14).",
        confidence="high",
        source="PIPA Art. 63; zdnet 2026-01-14",
    ),
    _entry(
        "kr-pipa-63-inspection",
        title_en="PIPA Art. 63(2) on-site inspection (PIPC): materials requested on site",
        title_ko="개인정보 보호법 제63조제2항 현장 조사(개인정보위): 현장 요구 자료",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="onsite_inspection",
        regulator="PIPC",
        recipient_en="Personal Information Protection Commission (inspectors)",
        recipient_ko="개인정보보호위원회(조사관)",
        citation="개인정보 보호법 제63조제2항",
        conditions=_scope("KR"),
        notes="PIPC officials may enter offices and inspect; materials asked for on site are owed by "
        "the time the inspectors name (entered from the inspection record).",
        confidence="high",
        source="PIPA Art. 63",
    ),
    _entry(
        "kr-network-act-48-4-corrective-report",
        title_en="MSIT corrective / recurrence-prevention order: implementation report",
        title_ko="과기정통부 시정·재발 방지 조치 명령: 이행 결과 보고",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="corrective_order",
        regulator="KISA-MSIT",
        recipient_en="Minister of Science and ICT",
        recipient_ko="과학기술정보통신부장관",
        citation="정보통신망법 제48조의4 (재발 방지 조치; 2024 개정)",
        conditions=_scope("KR"),
        notes="Since the 2024 amendment MSIT orders (no longer only recommends) recurrence-prevention "
        "measures and checks their implementation. The implementation report is due by the date "
        "the order names; the paragraph number of the order power was not confirmed (Medium).",
        confidence="medium",
        source="REGULATIONS.md C(a); MSIT joint-investigation release 2026-02-10",
    ),
    _entry(
        "kr-pipa-64-corrective-report",
        title_en="PIPA Art. 64 corrective order (PIPC): report back",
        title_ko="개인정보 보호법 제64조 시정조치 명령(개인정보위): 이행 결과 보고",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="pipc_corrective_order",
        regulator="PIPC",
        recipient_en="Personal Information Protection Commission",
        recipient_ko="개인정보보호위원회",
        citation="개인정보 보호법 제64조제1항",
        conditions=_scope("KR"),
        notes="The PIPC orders corrective measures and sets the date by which their implementation "
        "is reported; that date is entered from the decision.",
        confidence="high",
        source="PIPA Art. 64",
    ),
    _entry(
        "kr-admin-appeal-27",
        title_en="Administrative appeal against a penalty or fine (90 days)",
        title_ko="과징금 등 처분에 대한 행정심판 청구(90일)",
        amount=90,
        unit=CD,
        tz=SEOUL,
        calendar="KR",
        roll_forward=True,
        trigger_kind="penalty_notice",
        regulator="KR-ACAC",
        recipient_en="Administrative appeals commission",
        recipient_ko="행정심판위원회",
        citation="행정심판법 제27조제1항; 민법 제157조·제161조",
        conditions=_scope("KR"),
        notes="Within 90 days from the day the party learned of the disposition (in practice the day "
        "the notice was received). Civil Act counting: the day of receipt is not counted (day 0) and "
        "a last day on a Saturday, Sunday or public holiday runs to the next business day. Also "
        "barred 180 days after the disposition (Art. 27(3), not modelled). An administrative fine "
        "(과태료) is contested by objection within 60 days under the Act on the Regulation of "
        "Violations of Public Order Art. 20, not by this appeal (not modelled).",
        confidence="high",
        source="Administrative Appeals Act Art. 27 (law.go.kr)",
    ),
    _entry(
        "kr-admin-litigation-20",
        title_en="Administrative litigation (revocation suit) against a penalty (90 days)",
        title_ko="과징금 등 처분에 대한 취소소송 제기(90일)",
        amount=90,
        unit=CD,
        tz=SEOUL,
        calendar="KR",
        roll_forward=True,
        trigger_kind="penalty_notice",
        regulator="KR-ADMIN-COURT",
        recipient_en="Administrative court",
        recipient_ko="행정법원",
        citation="행정소송법 제20조제1항; 민법 제157조·제161조",
        conditions=_scope("KR"),
        notes="A revocation suit is filed within 90 days from the day the party learned of the "
        "disposition (the notice's receipt); after an administrative appeal, 90 days from receipt of "
        "the appeal ruling (not modelled). Same Civil Act counting as the appeal window.",
        confidence="high",
        source="Administrative Litigation Act Art. 20 (law.go.kr)",
    ),
    # ---------------------------------------------------------------- Korea: financial laws
    _entry(
        "kr-credit-info-39-4-report",
        title_en="Credit Information Act Art. 39-4 credit-information leak report",
        title_ko="신용정보법 제39조의4 개인신용정보 누설 신고",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="awareness",
        trigger_en="awareness of the credit-information leak",
        trigger_ko="신용정보 누설 인지",
        regulator="FSC",
        recipient_en="FSC or the body set by decree (commercial companies: PIPC)",
        recipient_ko="금융위원회 또는 대통령령으로 정하는 기관(상거래기업: 개인정보보호위원회)",
        citation="신용정보의 이용 및 보호에 관한 법률 제39조의4",
        conditions=_all(
            _true("credit_information_company"),
            _true("credit_information"),
            {"fact": "jurisdictions", "op": "contains", "value": "KR"},
        ),
        notes="Statute checked (cswiki copy of Art. 39-4, as amended 2020-02-04): para. 3, a leak at "
        "or above the scale set by presidential decree is reported 'without delay' (no number) to the "
        "FSC or the decree body; para. 4, commercial companies report to the PIPC instead; para. 1, "
        "data subjects are notified without delay. Applies to credit information companies etc. "
        "(the credit_information_company fact). The decree (Enforcement Decree Art. 34-4) threshold "
        "(recollection: 10,000+ persons) and any day count were NOT CONFIRMED: the decree text was "
        "not found in the stored material, so no threshold and no number are encoded.",
        confidence="unconfirmed",
        source="cswiki.net text of Art. 39-4 (statute: High; threshold: Low)",
    ),
    _entry(
        "kr-efta-21-5-report",
        title_en="Electronic Financial Transactions Act Art. 21-5 infringement incident notice",
        title_ko="전자금융거래법 제21조의5 침해사고 통지",
        amount=None,
        unit=NONE,
        tz=SEOUL,
        trigger_kind="awareness",
        trigger_en="infringement incident on electronic-finance infrastructure",
        trigger_ko="전자금융기반시설 침해사고 발생",
        regulator="FSC",
        recipient_en="Financial Services Commission",
        recipient_ko="금융위원회",
        citation="전자금융거래법 제21조의5",
        conditions=_all(_true("kr_financial_company"), _true("external_attack")),
        notes="'Without delay' (지체 없이); no hour count in the Act. Also analyse the cause and stop "
        "the damage spreading. FSS reporting details under the supervisory regulation were not "
        "researched (not confirmed).",
        confidence="high",
        source="itwiki.kr text of Art. 21-5",
    ),
    # ---------------------------------------------------------------- US: SEC
    _entry(
        "us-sec-8k-1-05",
        title_en="SEC Form 8-K Item 1.05 (material cybersecurity incident)",
        title_ko="SEC Form 8-K 항목 1.05(중대한 사이버보안 사고) 공시",
        amount=4,
        unit=BD,
        tz=NY,
        calendar="US-EDGAR",
        cutoff=_EDGAR_CUTOFF,
        effective_from=date(2023, 12, 18),
        trigger_kind="materiality_determination",
        trigger_en="materiality determination",
        trigger_ko="중대성 판단",
        regulator="SEC",
        recipient_en="SEC (EDGAR, public filing)",
        recipient_ko="미국 증권거래위원회(EDGAR 공시)",
        citation="Form 8-K Item 1.05; Release 33-11216; 17 CFR 232.13(a)(2)",
        conditions=_all(_true("sec_registrant")),
        notes="4 business days after the registrant determines the incident is material (not after "
        "discovery). Smaller reporting companies from 2024-06-15. EDGAR dates a filing started after "
        "17:30 ET on the next business day, hence the 17:30 cut-off. AG national-security delay "
        "possible (30 + 30 + 60 days). The zone that fixes the date of a determination made abroad is "
        "not settled (America/New_York used). 2025-12-24 and 12-26: the executive order of "
        "2025-12-18 closing federal agencies on both days is confirmed (lcwlegal; govpulse); the SEC "
        "closed EDGAR and treated such days as holidays in 2019 and 2020 (Cooley PubCo 2020-12-16), "
        "but no SEC/EDGAR notice for 2025 was found: both stay unconfirmed closures (counted as "
        "business days, the later date shown).",
        confidence="high",
        source="KPMG; Cooley PubCo; Crowell & Moring; breachdocket; lawserver 17 CFR 232.13",
    ),
    _entry(
        "us-sec-8k-1-05-amendment",
        title_en="SEC Form 8-K/A Item 1.05 amendment (information determined later)",
        title_ko="SEC Form 8-K/A 항목 1.05 정정 공시(추후 확인된 정보)",
        amount=4,
        unit=BD,
        tz=NY,
        calendar="US-EDGAR",
        cutoff=_EDGAR_CUTOFF,
        effective_from=date(2023, 12, 18),
        trigger_kind="new_fact",
        trigger_en="determination of the missing information",
        trigger_ko="누락 정보 확인",
        regulator="SEC",
        recipient_en="SEC (EDGAR, public filing)",
        recipient_ko="미국 증권거래위원회(EDGAR 공시)",
        citation="Form 8-K Item 1.05, Instruction 2",
        conditions=_all(_true("sec_registrant"), _true("8k_filed")),
        notes="Information not determined or unavailable at filing must be stated as such in the 8-K, "
        "then filed by amendment within 4 business days after it is determined or becomes available.",
        confidence="high",
        source="Cooley PubCo 2023-12-14",
    ),
    _entry(
        "us-sec-8k-5-02",
        title_en="SEC Form 8-K Item 5.02 (departure of a covered officer or director)",
        title_ko="SEC Form 8-K 항목 5.02(임원·이사 퇴임) 공시",
        amount=4,
        unit=BD,
        tz=NY,
        calendar="US-EDGAR",
        cutoff=_EDGAR_CUTOFF,
        trigger_kind="officer_departure",
        regulator="SEC",
        recipient_en="SEC (EDGAR, public filing)",
        recipient_ko="미국 증권거래위원회(EDGAR 공시)",
        citation="Form 8-K Item 5.02; General Instruction B.1",
        conditions=_all(_true("sec_registrant"), _true("covered_officer")),
        notes="Only when the departing person is a covered officer or director of the registrant "
        "(e.g. a subsidiary CEO may not be). Confirm coverage case by case.",
        confidence="medium",
        source="Form 8-K general instructions (4 business days); REGULATIONS.md A",
    ),
    # ---------------------------------------------------------------- US: HIPAA
    _entry(
        "us-hipaa-individuals",
        title_en="HIPAA breach notice to individuals",
        title_ko="HIPAA 침해 통지 – 개인",
        amount=60,
        unit=CD,
        tz=NY,
        day_zone=DayZone.EARLIER,
        trigger_kind="discovery",
        trigger_en="discovery of the breach",
        trigger_ko="침해 발견",
        regulator="DATA-SUBJECTS",
        recipient_en="Affected individuals",
        recipient_ko="피해 개인",
        citation="45 CFR 164.404",
        conditions=_all(*_HIPAA),
        notes="Without unreasonable delay and no later than 60 calendar days after discovery (day 0 = "
        "discovery); 60 days is an outer limit. Law-enforcement delay possible. The rule does not name "
        "a time zone: the dates are counted both in America/New_York and in the entity's own zone, and "
        "the earlier due time applies.",
        confidence="high",
        source="telehealthist; accountablehq; hipaanswers; complydome",
    ),
    _entry(
        "us-hipaa-hhs-500",
        title_en="HIPAA breach report to HHS (500 or more individuals)",
        title_ko="HIPAA 침해 보고 – HHS(500명 이상)",
        amount=60,
        unit=CD,
        tz=NY,
        day_zone=DayZone.EARLIER,
        trigger_kind="discovery",
        trigger_en="discovery of the breach",
        trigger_ko="침해 발견",
        regulator="HHS-OCR",
        recipient_en="HHS Secretary via the OCR breach portal",
        recipient_ko="보건복지부 장관(OCR 침해 신고 포털)",
        citation="45 CFR 164.408",
        conditions=_all(*_HIPAA, _cmp("affected.US", "gte", 500)),
        notes="500+ individuals: contemporaneously with the individual notices, within 60 days. Under "
        "500: log and report within 60 days after the end of the calendar year (not modelled here).",
        confidence="high",
        source="accountablehq; hipaanswers",
    ),
    _entry(
        "us-hipaa-media",
        title_en="HIPAA breach notice to prominent media (more than 500 residents of one state)",
        title_ko="HIPAA 침해 통지 – 주요 언론(한 주 500명 초과)",
        amount=60,
        unit=CD,
        tz=NY,
        day_zone=DayZone.EARLIER,
        trigger_kind="discovery",
        trigger_en="discovery of the breach",
        trigger_ko="침해 발견",
        regulator="MEDIA",
        recipient_en="Prominent media outlets serving the state or jurisdiction",
        recipient_ko="해당 주·관할을 담당하는 주요 언론",
        citation="45 CFR 164.406",
        conditions=_all(*_HIPAA, _cmp("affected.us_state_max", "gt", 500)),
        notes="More than 500 residents of one State or jurisdiction; same 60-day limit.",
        confidence="high",
        source="telehealthist; complydome",
    ),
    # ---------------------------------------------------------------- US: states
    _entry(
        "us-ca-1798-82",
        title_en="California Civ. Code 1798.82 notice to residents (30 days, SB 446)",
        title_ko="캘리포니아 민법 1798.82 주민 통지(30일, SB 446)",
        amount=30,
        unit=CD,
        tz="America/Los_Angeles",
        effective_from=date(2026, 1, 1),
        day_zone=DayZone.EARLIER,
        trigger_kind="discovery",
        trigger_en="discovery or notification of the breach",
        trigger_ko="침해 발견 또는 통보",
        regulator="DATA-SUBJECTS",
        recipient_en="Affected California residents",
        recipient_ko="피해 캘리포니아 주민",
        citation="Cal. Civ. Code 1798.82 (as amended by SB 446)",
        conditions=_all(_cmp("affected.US-CA", "gte", 1)),
        notes="30 calendar days from 2026-01-01 (SB 446); before that only 'the most expedient time "
        "possible' (no version shipped for it). Delay allowed for law enforcement, or to determine "
        "scope and restore system integrity.",
        confidence="high",
        source="dataprotectionreport (Norton Rose Fulbright); dailyjournal; mvalaw",
    ),
    _entry(
        "us-ca-1798-82-ag",
        title_en="California Attorney General: sample notice (more than 500 residents)",
        title_ko="캘리포니아주 법무장관 통지문 사본 제출(주민 500명 초과)",
        amount=15,
        unit=CD,
        tz="America/Los_Angeles",
        effective_from=date(2026, 1, 1),
        day_zone=DayZone.EARLIER,
        trigger_kind="filing_of:us-ca-1798-82",
        trigger_en="notice to residents",
        trigger_ko="주민 통지",
        regulator="CA-AG",
        recipient_en="California Attorney General",
        recipient_ko="캘리포니아주 법무장관",
        citation="Cal. Civ. Code 1798.82(f) (as amended by SB 446)",
        conditions=_all(_cmp("affected.US-CA", "gt", 500)),
        notes="Within 15 calendar days after notifying residents (chained: recording the us-ca-1798-82 "
        "filing starts this clock).",
        confidence="high",
        source="dataprotectionreport; dailyjournal; mvalaw",
    ),
    _entry(
        "us-tx-521-053-ag",
        title_en="Texas Bus. & Com. Code 521.053 notice to the Attorney General (250+ Texans)",
        title_ko="텍사스 상법 521.053 법무장관 신고(텍사스 주민 250명 이상)",
        amount=30,
        unit=CD,
        tz="America/Chicago",
        effective_from=date(2023, 9, 1),
        day_zone=DayZone.EARLIER,
        trigger_kind="breach_determination",
        regulator="TX-AG",
        recipient_en="Texas Attorney General",
        recipient_ko="텍사스주 법무장관",
        citation="Tex. Bus. & Com. Code 521.053(i) (SB 768)",
        conditions=_all(_cmp("affected.US-TX", "gte", 250)),
        notes="30 days since 2023-09-01 (SB 768); individuals: 60 days (not a separate code). Statute "
        "text not retrieved: only secondary confirmation of the 30-day figure.",
        confidence="medium",
        source="dataprotectionreport (secondary)",
    ),
    _entry(
        "us-co-6-1-716",
        title_en="Colorado C.R.S. 6-1-716 notice to residents and the Attorney General",
        title_ko="콜로라도 C.R.S. 6-1-716 주민 및 법무장관 통지",
        amount=30,
        unit=CD,
        tz="America/Denver",
        day_zone=DayZone.EARLIER,
        trigger_kind="breach_determination",
        regulator="CO-AG",
        recipient_en="Affected Colorado residents, and the Attorney General if 500+ residents",
        recipient_ko="피해 콜로라도 주민 및 (500명 이상이면) 법무장관",
        citation="C.R.S. 6-1-716",
        conditions=_all(_cmp("affected.US-CO", "gte", 1)),
        notes="30 days from the determination (residents and AG); the AG notice only for 500+ "
        "residents. Statute text not retrieved: only secondary confirmation of the 30-day figure.",
        confidence="medium",
        source="dataprotectionreport (secondary)",
    ),
    # ---------------------------------------------------------------- EU / UK: GDPR
    _entry(
        "eu-gdpr-33",
        title_en="GDPR Art. 33 notification to the supervisory authority",
        title_ko="GDPR 제33조 감독기관 신고",
        amount=72,
        unit=H,
        tz=BRUSSELS,
        effective_from=date(2018, 5, 25),
        day_zone=DayZone.ENTITY,
        trigger_kind="awareness",
        trigger_en="controller's awareness of the breach",
        trigger_ko="컨트롤러의 침해 인지",
        regulator="EU-DPA",
        recipient_en="Lead or competent supervisory authority",
        recipient_ko="주관 또는 관할 감독기관",
        citation="Regulation (EU) 2016/679, Art. 33",
        conditions=_all(_scope("EU"), _true("breach_risk")),
        notes="Without undue delay and, where feasible, within 72 h (weekends included); a late notice "
        "must give reasons; phased information allowed. Reference zone = the controller's zone "
        "(default Europe/Brussels; set per entity). A 2025 'digital omnibus' proposal (96 h) was only a "
        "proposal.",
        confidence="high",
        source="Regulation text; gdpr-text.com (Recital 85)",
    ),
    _entry(
        "eu-gdpr-34",
        title_en="GDPR Art. 34 communication to data subjects (high risk)",
        title_ko="GDPR 제34조 정보주체 통지(높은 위험)",
        amount=None,
        unit=NONE,
        tz=BRUSSELS,
        effective_from=date(2018, 5, 25),
        day_zone=DayZone.ENTITY,
        trigger_kind="awareness",
        trigger_en="controller's awareness of the breach",
        trigger_ko="컨트롤러의 침해 인지",
        regulator="DATA-SUBJECTS",
        recipient_en="Affected data subjects",
        recipient_ko="피해 정보주체",
        citation="Regulation (EU) 2016/679, Art. 34",
        conditions=_all(_scope("EU"), _true("high_risk")),
        notes="'Without undue delay' (no number) when the breach is likely to result in a high risk. "
        "Exceptions: encryption, later measures, disproportionate effort (then public communication).",
        confidence="high",
        source="Regulation text",
    ),
    _entry(
        "uk-gdpr-33",
        title_en="UK GDPR Art. 33 notification to the ICO",
        title_ko="영국 GDPR 제33조 ICO 신고",
        amount=72,
        unit=H,
        tz="Europe/London",
        day_zone=DayZone.ENTITY,
        trigger_kind="awareness",
        trigger_en="controller's awareness of the breach",
        trigger_ko="컨트롤러의 침해 인지",
        regulator="ICO",
        recipient_en="Information Commissioner's Office",
        recipient_ko="영국 정보위원회(ICO)",
        citation="UK GDPR Art. 33",
        conditions=_all(_scope("GB"), _true("breach_risk")),
        notes="72 h, weekends and bank holidays included; same risk test as the EU GDPR.",
        confidence="high",
        source="thedpodiary; gdprledger; folelse",
    ),
    # ---------------------------------------------------------------- EU: NIS2
    _entry(
        "eu-nis2-early-warning",
        title_en="NIS2 Art. 23 early warning",
        title_ko="NIS2 제23조 조기 경보",
        amount=24,
        unit=H,
        tz=BRUSSELS,
        day_zone=DayZone.ENTITY,
        trigger_kind="awareness",
        trigger_en="awareness of the significant incident",
        trigger_ko="중대 사고 인지",
        regulator="EU-CSIRT",
        recipient_en="National CSIRT or competent authority",
        recipient_ko="국가 CSIRT 또는 관할 당국",
        citation="Directive (EU) 2022/2555, Art. 23(4)(a)",
        conditions=_NIS2,
        notes="24 h from awareness of a significant incident. In force per Member State transposition "
        "(dates vary; not modelled). Reference zone = the Member State's (default Europe/Brussels).",
        confidence="high",
        source="nis-2-templates; enactia; powerquant; resiplan",
    ),
    _entry(
        "eu-nis2-notification",
        title_en="NIS2 Art. 23 incident notification",
        title_ko="NIS2 제23조 사고 통지",
        amount=72,
        unit=H,
        tz=BRUSSELS,
        day_zone=DayZone.ENTITY,
        trigger_kind="awareness",
        trigger_en="awareness of the significant incident",
        trigger_ko="중대 사고 인지",
        regulator="EU-CSIRT",
        recipient_en="National CSIRT or competent authority",
        recipient_ko="국가 CSIRT 또는 관할 당국",
        citation="Directive (EU) 2022/2555, Art. 23(4)(b)",
        conditions=_NIS2,
        notes="72 h from awareness (trust service providers: 24 h, recollection, not modelled). "
        "National transposition governs.",
        confidence="high",
        source="nis-2-templates; enactia; powerquant; resiplan",
    ),
    _entry(
        "eu-nis2-final",
        title_en="NIS2 Art. 23 final report",
        title_ko="NIS2 제23조 최종 보고서",
        amount=1,
        unit=MO,
        tz=BRUSSELS,
        day_zone=DayZone.ENTITY,
        trigger_kind="filing_of:eu-nis2-notification",
        trigger_en="submission of the incident notification",
        trigger_ko="사고 통지 제출",
        regulator="EU-CSIRT",
        recipient_en="National CSIRT or competent authority",
        recipient_ko="국가 CSIRT 또는 관할 당국",
        citation="Directive (EU) 2022/2555, Art. 23(4)(d)",
        conditions=_NIS2,
        notes="One month after the incident notification was submitted; if the incident is still "
        "ongoing, a progress report then and the final report one month after handling ends. Whether "
        "Reg. 1182/71 (roll-forward over weekends/holidays) governs is not settled: no roll-forward.",
        confidence="high",
        source="nis-2-templates; enactia; powerquant; resiplan",
    ),
    # ---------------------------------------------------------------- EU: DORA
    _entry(
        "eu-dora-initial",
        title_en="DORA initial notification of a major ICT-related incident",
        title_ko="DORA 주요 ICT 사고 초기 통지",
        amount=4,
        unit=H,
        tz=BRUSSELS,
        effective_from=date(2025, 1, 17),
        long_stop_hours=24,
        day_zone=DayZone.ENTITY,
        weekend_relief=WeekendRelief.UNLESS_EXCLUDED,
        trigger_kind="classification_major",
        trigger_en="classification as major",
        trigger_ko="주요 사고 분류",
        regulator="EU-NCA",
        recipient_en="National competent authority",
        recipient_ko="국가 관할 감독당국",
        citation="Regulation (EU) 2022/2554, Art. 19; RTS (EU) 2025/301, Art. 5",
        conditions=_DORA,
        notes="Within 4 h of classification as major and no later than 24 h after awareness (the "
        "earlier); if classified more than 24 h after awareness, 4 h from classification. Weekend "
        "relief (Art. 5(4)-(5)): a time limit on a weekend or bank holiday of the entity's Member "
        "State may move to 12:00 of the next working day, but not for credit institutions, central "
        "counterparties, trading-venue operators or NIS2 essential/important entities; where that is "
        "unknown the stricter time is kept. Paragraphs (4)-(5) as summarised in issue #14 and the "
        "springlex/dora-info copies (the stored copies cut off inside para. 4).",
        confidence="high",
        source="springlex (OJ text of RTS 2025/301 Art. 5); dora-info.eu; gibs.dev",
    ),
    _entry(
        "eu-dora-intermediate",
        title_en="DORA intermediate report",
        title_ko="DORA 중간 보고서",
        amount=72,
        unit=H,
        tz=BRUSSELS,
        effective_from=date(2025, 1, 17),
        day_zone=DayZone.ENTITY,
        weekend_relief=WeekendRelief.UNLESS_EXCLUDED,
        trigger_kind="filing_of:eu-dora-initial",
        trigger_en="submission of the initial notification",
        trigger_ko="초기 통지 제출",
        regulator="EU-NCA",
        recipient_en="National competent authority",
        recipient_ko="국가 관할 감독당국",
        citation="Regulation (EU) 2022/2554, Art. 19; RTS (EU) 2025/301, Art. 5",
        conditions=_DORA,
        notes="72 h after the initial notification was submitted (not after classification, as some "
        "vendor blogs say); an updated one when regular activities are restored. Weekend relief as "
        "for the initial notification (Art. 5(4)-(5)).",
        confidence="high",
        source="springlex (OJ text of RTS 2025/301 Art. 5)",
    ),
    _entry(
        "eu-dora-final",
        title_en="DORA final report",
        title_ko="DORA 최종 보고서",
        amount=1,
        unit=MO,
        tz=BRUSSELS,
        effective_from=date(2025, 1, 17),
        day_zone=DayZone.ENTITY,
        weekend_relief=WeekendRelief.ALL,
        trigger_kind="filing_of:eu-dora-intermediate",
        trigger_en="submission of the latest intermediate report",
        trigger_ko="최근 중간 보고서 제출",
        regulator="EU-NCA",
        recipient_en="National competent authority",
        recipient_ko="국가 관할 감독당국",
        citation="Regulation (EU) 2022/2554, Art. 19; RTS (EU) 2025/301, Art. 5",
        conditions=_DORA,
        notes="One month after the latest updated intermediate report, in the entity's Member State "
        "days. Weekend relief (Art. 5(4)) covers final reports of every financial entity: a time "
        "limit on a weekend or bank holiday moves to 12:00 of the next working day.",
        confidence="high",
        source="springlex (OJ text of RTS 2025/301 Art. 5)",
    ),
    # ---------------------------------------------------------------- Japan
    _entry(
        "jp-appi-26-preliminary",
        title_en="APPI Art. 26 preliminary report to the PPC",
        title_ko="일본 개인정보보호법(APPI) 제26조 속보",
        amount=None,
        unit=NONE,
        tz="Asia/Tokyo",
        internal=(3, CD),
        trigger_kind="awareness",
        trigger_en="knowledge of the reportable leak",
        trigger_ko="신고 대상 유출 인지",
        regulator="JP-PPC",
        recipient_en="Personal Information Protection Commission (or the delegated ministry)",
        recipient_ko="개인정보보호위원회(또는 위임받은 부처)",
        citation="APPI Art. 26(1); PPC Rules Art. 7-8",
        conditions=_all(_scope("JP"), _APPI_REPORTABLE),
        notes="'Promptly' (速やかに): guideline about 3-5 days, no fixed legal number; 3 calendar days is "
        "an internal target only. Day-count convention NOT CONFIRMED.",
        confidence="high",
        source="businesslawyers.jp; kobecity-lawoffice; PPC summary (kiroku)",
    ),
    _entry(
        "jp-appi-26-final",
        title_en="APPI Art. 26 final report to the PPC (30 days)",
        title_ko="일본 개인정보보호법(APPI) 제26조 확보(30일)",
        amount=30,
        unit=CD,
        tz="Asia/Tokyo",
        first_day_counts=True,
        trigger_kind="awareness",
        trigger_en="knowledge of the reportable leak",
        trigger_ko="신고 대상 유출 인지",
        regulator="JP-PPC",
        recipient_en="Personal Information Protection Commission (or the delegated ministry)",
        recipient_ko="개인정보보호위원회(또는 위임받은 부처)",
        citation="APPI Art. 26(1); PPC Rules Art. 8(2)",
        conditions=_all(_scope("JP"), _APPI_REPORTABLE, _false("unlawful_purpose")),
        notes="30 days; where an unlawful purpose is suspected the 60-day rule jp-appi-26-final-unlawful "
        "applies instead (hence unlawful_purpose must be no). "
        "The PPC guideline text on counting (通則編 3-5-3-4) was NOT found in the stored material "
        "(searched 2026-12-03: businesslawyers.jp and kobecity-lawoffice give only '30 days from "
        "knowledge'). Day-count convention NOT CONFIRMED, so the stricter reading is used: the day "
        "of knowledge is day 1 and a last day on a weekend, holiday or 29 Dec-3 Jan does not move. "
        "If the PPC counts from the next day or moves such a last day, the true due date is later.",
        confidence="medium",
        source="businesslawyers.jp; kobecity-lawoffice; PPC summary (kiroku)",
    ),
    _entry(
        "jp-appi-26-final-unlawful",
        title_en="APPI Art. 26 final report to the PPC, suspected unlawful purpose (60 days)",
        title_ko="일본 개인정보보호법(APPI) 제26조 확보(부정 목적 의심, 60일)",
        amount=60,
        unit=CD,
        tz="Asia/Tokyo",
        first_day_counts=True,
        trigger_kind="awareness",
        trigger_en="knowledge of the reportable leak",
        trigger_ko="신고 대상 유출 인지",
        regulator="JP-PPC",
        recipient_en="Personal Information Protection Commission (or the delegated ministry)",
        recipient_ko="개인정보보호위원회(또는 위임받은 부처)",
        citation="APPI Art. 26(1); PPC Rules Art. 8(2)",
        conditions=_all(_scope("JP"), _true("unlawful_purpose")),
        notes="60 days for leaks with a suspected unlawful purpose (unauthorised access, insider "
        "theft). "
        "The PPC guideline text on counting (通則編 3-5-3-4) was NOT found in the stored material "
        "(searched 2026-12-03: businesslawyers.jp and kobecity-lawoffice give only '30 days from "
        "knowledge'). Day-count convention NOT CONFIRMED, so the stricter reading is used: the day "
        "of knowledge is day 1 and a last day on a weekend, holiday or 29 Dec-3 Jan does not move. "
        "If the PPC counts from the next day or moves such a last day, the true due date is later.",
        confidence="medium",
        source="businesslawyers.jp; kobecity-lawoffice",
    ),
    # ---------------------------------------------------------------- Singapore
    _entry(
        "sg-pdpa-26d",
        title_en="Singapore PDPA s. 26D notification to the PDPC",
        title_ko="싱가포르 PDPA 제26D조 PDPC 신고",
        amount=3,
        unit=CD,
        tz="Asia/Singapore",
        effective_from=date(2021, 2, 1),
        trigger_kind="assessment_notifiable",
        trigger_en="assessment that the breach is notifiable",
        trigger_ko="신고 대상 여부 평가 완료",
        regulator="SG-PDPC",
        recipient_en="Personal Data Protection Commission",
        recipient_ko="개인정보보호위원회(PDPC)",
        citation="PDPA 2012, s. 26D(1)",
        conditions=_all(
            _scope("SG"), _any(_true("notifiable_sg"), _cmp("affected.total", "gte", 500))
        ),
        notes="As soon as practicable and no later than 3 calendar days after the day of the "
        "assessment (day 1 = the next day); weekends and public holidays count, no roll-forward. "
        "The assessment itself must be expeditious (PDPC expects about 30 days overall).",
        confidence="high",
        source="blog.covarage (quotes s. 26D); sorena; resguard; lock.pub",
    ),
    # ---------------------------------------------------------------- Australia
    _entry(
        "au-ndb-assessment",
        title_en="Australia NDB scheme: complete the assessment of a suspected eligible breach",
        title_ko="호주 NDB 제도: 적격 침해 의심 사안 평가 완료",
        amount=30,
        unit=CD,
        tz="Australia/Sydney",
        trigger_kind="awareness",
        trigger_en="reasonable grounds to suspect an eligible breach",
        trigger_ko="적격 침해를 의심할 합리적 근거 인지",
        regulator="OAIC",
        recipient_en="Internal: the assessment must be complete (no filing)",
        recipient_ko="내부: 평가 완료(제출 없음)",
        citation="Privacy Act 1988 (Cth), s. 26WH",
        conditions=_all(_true("app_entity_au"), _scope("AU")),
        notes="Expeditious assessment within 30 days; the notification itself is due 'as soon as "
        "practicable' once there are reasonable grounds to believe (no fixed count). Australian zones "
        "differ (Australia/Sydney used).",
        confidence="medium",
        source="ccsa.org.au; moray.com.au; lunyb",
    ),
)

CODES: Final[tuple[str, ...]] = tuple(dict.fromkeys(e.code for e in CATALOGUE))


def entries_for(code: str) -> tuple[CatalogueEntry, ...]:
    """All versions of one code, oldest first."""
    found = tuple(sorted((e for e in CATALOGUE if e.code == code), key=lambda e: e.version))
    if not found:
        raise KeyError(f"No catalogue entry with code {code!r}.")
    return found


def versions_for(code: str) -> tuple[RuleSpec, ...]:
    """The RuleSpec versions of one code, ready for ``compute_for_versions``."""
    return tuple(e.rule for e in entries_for(code))
