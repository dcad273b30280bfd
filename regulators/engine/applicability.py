"""Applicability conditions as JSON-able data, evaluated with three-valued logic.

A condition is one of::

    {"all": [cond, ...]}                                   # every one must hold
    {"any": [cond, ...]}                                   # at least one must hold
    {"fact": "affected.KR", "op": "gte", "value": 1000}     # a leaf

Facts come as a flat mapping (``{"affected.KR": 4536, "external_attack": True, ...}``). A missing
fact, or ``None``, makes a leaf UNKNOWN: the dashboard then asks for the fact instead of
silently deciding that a law does not apply.

Pure Python, no Django.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from .rules import Step

__all__ = [
    "FACTS",
    "OPS",
    "Applicability",
    "Status",
    "condition_facts",
    "evaluate",
    "is_known_fact",
    "validate_conditions",
]


class Status(StrEnum):
    APPLIES = "applies"
    DOES_NOT_APPLY = "does_not_apply"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Applicability:
    status: Status
    reasons: tuple[Step, ...]

    @property
    def applies(self) -> bool:
        return self.status is Status.APPLIES


#: The fact vocabulary: name -> (English description, Korean description).
#: ``affected.<CC>`` (ISO 3166-1 alpha-2, plus "EU") and ``affected.US-<ST>`` (US state or
#: territory, ISO 3166-2) are patterns; a few examples are listed.
FACTS: Final[dict[str, tuple[str, str]]] = {
    # Who the entity is
    "ict_service_provider": (
        "The entity is an ICT service provider under the Korean Network Act (정보통신서비스 제공자).",
        "정보통신망법상 정보통신서비스 제공자에 해당함.",
    ),
    "sec_registrant": (
        "The entity (or its parent) is an SEC registrant filing Form 8-K.",
        "해당 법인(또는 모회사)이 Form 8-K를 제출하는 SEC 등록회사임.",
    ),
    "hipaa_covered_entity": (
        "The entity is a HIPAA covered entity.",
        "HIPAA 적용 대상 기관(covered entity)임.",
    ),
    "eu_financial_entity": (
        "The entity is an EU financial entity under DORA (Reg. 2022/2554).",
        "DORA(규정 2022/2554)상 EU 금융기관임.",
    ),
    "nis2_entity": (
        "The entity is an essential or important entity under NIS2 (Annex I/II).",
        "NIS2상 필수 또는 중요 기관(부속서 I/II)임.",
    ),
    "kr_financial_company": (
        "The entity is a Korean financial company or electronic financial business operator (EFTA).",
        "전자금융거래법상 금융회사 또는 전자금융업자임.",
    ),
    "credit_information_company": (
        "The entity is a credit information company etc. under the Korean Credit Information Act (신용정보회사등).",
        "신용정보법상 신용정보회사등에 해당함.",
    ),
    "app_entity_au": (
        "The entity is an APP entity under the Australian Privacy Act 1988.",
        "호주 개인정보보호법(1988)상 APP 적용 기관임.",
    ),
    "jurisdictions": (
        'Jurisdictions involved (entity established or people affected), as a list of codes: "KR", "US", "EU", "GB", "JP", "SG", "AU".',
        '관련 관할(법인 소재지 또는 피해자 소재), 코드 목록: "KR", "US", "EU", "GB", "JP", "SG", "AU".',
    ),
    # What happened
    "external_attack": (
        "The incident is an infringement by unlawful external access (hacking etc.).",
        "해킹 등 외부의 불법 접근에 의한 침해사고임.",
    ),
    "sensitive_data": (
        "Sensitive data was involved (e.g. PIPA 민감정보, APPI special care-required data).",
        "민감정보(예: 개인정보 보호법상 민감정보)가 포함됨.",
    ),
    "unique_identifiers": (
        "Unique identifying information was involved (Korean resident registration, passport, driver's licence, alien registration numbers).",
        "고유식별정보(주민등록번호, 여권번호, 운전면허번호, 외국인등록번호)가 포함됨.",
    ),
    "credit_information": (
        "Personal credit information leaked (Korean Credit Information Act).",
        "개인신용정보가 누설됨(신용정보법).",
    ),
    "financial_damage_risk": (
        "Data whose misuse may cause financial damage leaked (cards, bank credentials; APPI).",
        "부정 사용 시 재산적 피해가 생길 수 있는 정보(카드, 계좌 인증정보 등)가 유출됨(일본 APPI).",
    ),
    "phi": (
        "Unsecured protected health information (HIPAA PHI) was involved.",
        "보호되지 않은 건강정보(HIPAA PHI)가 포함됨.",
    ),
    "affected.total": (
        "Number of affected people, all jurisdictions.",
        "전체 피해 정보주체 수.",
    ),
    "affected.KR": (
        "Number of affected people in Korea (pattern affected.<CC>, ISO country code; 'EU' for the EU).",
        "한국 내 피해 정보주체 수(affected.<국가코드> 형식, EU는 'EU').",
    ),
    "affected.US": ("Number of affected US residents.", "미국 거주 피해자 수."),
    "affected.EU": ("Number of affected people in the EU.", "EU 내 피해자 수."),
    "affected.GB": ("Number of affected people in the UK.", "영국 내 피해자 수."),
    "affected.JP": ("Number of affected people in Japan.", "일본 내 피해자 수."),
    "affected.SG": ("Number of affected people in Singapore.", "싱가포르 내 피해자 수."),
    "affected.AU": ("Number of affected people in Australia.", "호주 내 피해자 수."),
    "affected.US-CA": (
        "Number of affected California residents (pattern affected.US-<ST>, state code).",
        "캘리포니아 거주 피해자 수(affected.US-<주 코드> 형식).",
    ),
    "affected.US-TX": ("Number of affected Texas residents.", "텍사스 거주 피해자 수."),
    "affected.US-CO": ("Number of affected Colorado residents.", "콜로라도 거주 피해자 수."),
    "affected.us_state_max": (
        "Largest number of affected residents of any single US state or territory (derived from affected.US-<ST>).",
        "미국 단일 주(또는 준주)별 피해 거주자 수 중 최댓값(affected.US-<주> 값에서 산출).",
    ),
    # Assessments
    "breach_risk": (
        "The breach is likely to result in a risk to people's rights and freedoms (GDPR Art. 33).",
        "침해가 정보주체의 권리와 자유에 위험을 초래할 가능성이 있음(GDPR 제33조).",
    ),
    "high_risk": (
        "The breach is likely to result in a high risk to people (GDPR Art. 34).",
        "침해가 정보주체에게 높은 위험을 초래할 가능성이 있음(GDPR 제34조).",
    ),
    "significant_incident": (
        "The incident is significant under NIS2 Art. 23(3).",
        "NIS2 제23조제3항상 중대한(significant) 사고임.",
    ),
    "major_incident": (
        "The ICT incident is classified as major under DORA (RTS 2024/1772).",
        "DORA(RTS 2024/1772)상 주요(major) ICT 사고로 분류됨.",
    ),
    "covered_officer": (
        "the departing person is a covered officer or director of the registrant (per event)",
        "퇴임자가 등록회사의 공시 대상 임원·이사임(사건별)",
    ),
    "unlawful_purpose": (
        "A leak with a suspected unlawful purpose (unauthorised access, insider theft; APPI).",
        "부정한 목적이 의심되는 유출(부정 접근, 내부자 절취 등; 일본 APPI).",
    ),
    "notifiable_sg": (
        "The organisation assessed the breach as notifiable under Singapore PDPA s. 26B (significant harm likely, or 500+ individuals).",
        "싱가포르 PDPA 제26B조에 따라 신고 대상으로 평가함(중대한 피해 우려 또는 500명 이상).",
    ),
    "8k_filed": (
        "An Item 1.05 Form 8-K about the incident has been filed.",
        "해당 사고에 관한 Form 8-K 항목 1.05 공시를 제출함.",
    ),
}

_AFFECTED_RE: Final = re.compile(r"^affected\.(?:[A-Z]{2}|US-[A-Z]{2})$")


def is_known_fact(name: str) -> bool:
    """A vocabulary fact, or the affected.<CC> / affected.US-<ST> pattern."""
    return name in FACTS or _AFFECTED_RE.match(name) is not None


OPS: Final[dict[str, tuple[str, str]]] = {
    "eq": ("=", "="),
    "ne": ("≠", "≠"),
    "gte": ("≥", "이상"),
    "gt": (">", "초과"),
    "lte": ("≤", "이하"),
    "lt": ("<", "미만"),
    "in": ("is one of", "다음 중 하나"),
    "contains": ("contains", "포함"),
    "true": ("is yes", "예"),
    "false": ("is no", "아니요"),
}
_NUMERIC_OPS: Final = frozenset({"gte", "gt", "lte", "lt"})
_NO_VALUE_OPS: Final = frozenset({"true", "false"})


# -- validation ----------------------------------------------------------------------------------


def validate_conditions(conditions: object) -> None:
    """Raise ValueError with the path of the first malformed node; None / {} are valid."""
    if conditions is None or (isinstance(conditions, Mapping) and not conditions):
        return
    _validate(conditions, "conditions")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _validate(node: object, path: str) -> None:
    if not isinstance(node, Mapping):
        raise ValueError(
            f"{path}: expected an object such as {{'all': [...]}}, {{'any': [...]}} or "
            f"{{'fact': ..., 'op': ..., 'value': ...}}, got {type(node).__name__}."
        )
    keys = set(node)
    if keys & {"all", "any"}:
        if len(keys) != 1:
            raise ValueError(
                f"{path}: a group has exactly one key, 'all' or 'any'; got {sorted(map(str, keys))}."
            )
        kind = next(iter(keys))
        children = node[kind]
        if not isinstance(children, list) or not children:
            raise ValueError(f"{path}.{kind}: expected a non-empty list of conditions.")
        for i, child in enumerate(children):
            _validate(child, f"{path}.{kind}[{i}]")
        return
    if "fact" not in keys or "op" not in keys:
        missing = [k for k in ("fact", "op") if k not in keys]
        raise ValueError(
            f"{path}: a leaf needs 'fact' and 'op' (missing {', '.join(missing)}); "
            f"got keys {sorted(map(str, keys))}."
        )
    extra = keys - {"fact", "op", "value"}
    if extra:
        raise ValueError(f"{path}: unexpected keys {sorted(map(str, extra))}.")
    fact, op = node["fact"], node["op"]
    if not isinstance(fact, str) or not fact:
        raise ValueError(f"{path}.fact: expected a fact name, got {fact!r}.")
    if not is_known_fact(fact):
        raise ValueError(
            f"{path}.fact: unknown fact {fact!r}; use a name from regulators.engine.applicability.FACTS "
            "or affected.<CC> / affected.US-<ST>."
        )
    if op not in OPS:
        raise ValueError(f"{path}.op: unknown op {op!r}; expected one of {', '.join(OPS)}.")
    if op in _NO_VALUE_OPS:
        if "value" in keys:
            raise ValueError(f"{path}: op {op!r} takes no 'value'.")
        return
    if "value" not in keys:
        raise ValueError(f"{path}: op {op!r} needs a 'value'.")
    value = node["value"]
    if op in _NUMERIC_OPS and not _is_number(value):
        raise ValueError(f"{path}.value: op {op!r} needs a number, got {value!r}.")
    if op == "in" and not isinstance(value, list):
        raise ValueError(f"{path}.value: op 'in' needs a list, got {value!r}.")


# -- evaluation ----------------------------------------------------------------------------------


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _show_ko(value: object) -> str:
    if isinstance(value, bool):
        return "예" if value else "아니요"
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(_show_ko(v) for v in value) + "]"
    return str(value)


def _leaf(node: Mapping[str, Any], facts: Mapping[str, object]) -> tuple[Status, Step]:
    fact: str = node["fact"]
    op: str = node["op"]
    expected = node.get("value")
    sym_en, sym_ko = OPS[op]
    want_en = f"{sym_en} {_show(expected)}" if op not in _NO_VALUE_OPS else sym_en
    want_ko = f"{_show_ko(expected)} {sym_ko}" if op not in _NO_VALUE_OPS else sym_ko
    actual = facts.get(fact)
    if actual is None:
        return Status.UNKNOWN, Step(
            f"{fact} is not known (needed: {fact} {want_en}).",
            f"{fact} 값이 없습니다(필요 조건: {fact} {want_ko}).",
        )
    result: bool | None
    if op in _NO_VALUE_OPS:
        result = (actual is True) == (op == "true") if isinstance(actual, bool) else None
    elif op in _NUMERIC_OPS:
        if not _is_number(actual) or not _is_number(expected):
            result = None
        else:
            a, e = float(actual), float(expected)  # type: ignore[arg-type]
            result = {"gte": a >= e, "gt": a > e, "lte": a <= e, "lt": a < e}[op]
    elif op == "eq":
        result = actual == expected
    elif op == "ne":
        result = actual != expected
    elif op == "in":
        result = isinstance(expected, Sequence) and actual in expected
    else:  # contains
        if isinstance(actual, str):
            result = isinstance(expected, str) and expected in actual
        elif isinstance(actual, list | tuple | set | frozenset):
            result = expected in actual
        else:
            result = None
    if result is None:
        return Status.UNKNOWN, Step(
            f"{fact} = {_show(actual)} cannot be compared ({fact} {want_en}): wrong kind of value.",
            f"{fact} = {_show_ko(actual)} 값의 형식이 맞지 않아 비교할 수 없습니다({fact} {want_ko}).",
        )
    if result:
        return Status.APPLIES, Step(
            f"{fact} = {_show(actual)}, which meets {fact} {want_en}.",
            f"{fact} = {_show_ko(actual)}: 조건({fact} {want_ko})을 충족합니다.",
        )
    return Status.DOES_NOT_APPLY, Step(
        f"{fact} = {_show(actual)}, which does not meet {fact} {want_en}.",
        f"{fact} = {_show_ko(actual)}: 조건({fact} {want_ko})을 충족하지 않습니다.",
    )


def _eval(node: Mapping[str, Any], facts: Mapping[str, object]) -> tuple[Status, list[Step]]:
    if "all" in node or "any" in node:
        is_all = "all" in node
        children = node["all"] if is_all else node["any"]
        by_status: dict[Status, list[Step]] = {s: [] for s in Status}
        for child in children:
            status, reasons = _eval(child, facts)
            by_status[status].extend(reasons)
        # all: any false -> no; else any unknown -> unknown; else yes.
        # any: any true -> yes; else any unknown -> unknown; else no.
        decisive = Status.DOES_NOT_APPLY if is_all else Status.APPLIES
        if by_status[decisive]:
            return decisive, by_status[decisive]
        if by_status[Status.UNKNOWN]:
            return Status.UNKNOWN, by_status[Status.UNKNOWN]
        other = Status.APPLIES if is_all else Status.DOES_NOT_APPLY
        return other, by_status[other]
    status, step = _leaf(node, facts)
    return status, [step]


def condition_facts(conditions: object) -> frozenset[str]:
    """The fact names a (valid) condition reads: ``evaluate`` looks at nothing else, so two fact
    mappings that agree on these names give the same status and the same reasons."""
    if not isinstance(conditions, Mapping) or not conditions:
        return frozenset()
    if "all" in conditions or "any" in conditions:
        children = conditions.get("all", conditions.get("any")) or []
        return frozenset().union(*(condition_facts(child) for child in children))
    fact = conditions.get("fact")
    return frozenset({fact}) if isinstance(fact, str) else frozenset()


def evaluate(conditions: Mapping[str, Any] | None, facts: Mapping[str, object]) -> Applicability:
    """Three-valued evaluation; empty or None conditions apply unconditionally.

    Reasons list the leaves that decided the result (for UNKNOWN: the missing facts).
    Raises ValueError for malformed conditions.
    """
    if not conditions:
        return Applicability(
            Status.APPLIES,
            (
                Step(
                    "No conditions: applies to every incident.",
                    "조건 없음: 모든 사고에 적용됩니다.",
                ),
            ),
        )
    validate_conditions(conditions)
    status, reasons = _eval(conditions, facts)
    return Applicability(status, tuple(reasons))
