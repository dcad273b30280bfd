"""Load the demo data: the 2025 Korean e-commerce breach, reconstructed from public reporting,
and a smaller fictional incident with US and EU obligations. Idempotent.

Everything goes through the same service functions as the pages, so deadlines (and, later,
reminders) appear exactly as they would for a real incident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction

from incidents import services
from incidents.models import Deadline, EventKind, Incident, Profile

KST = ZoneInfo("Asia/Seoul")
ET = ZoneInfo("America/New_York")
CET = ZoneInfo("Europe/Berlin")

CASE_REFERENCE = "INC-2025-0001"
FICTIONAL_REFERENCE = "INC-2026-0002"

# (when, precision, tz name, kind, title, source, confidence, basis, entity key, data)
Event = tuple[datetime, str, str, str, str, str, str, str, str | None, dict[str, Any]]


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KST)


def et(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ET)


CASE_EVENTS: list[Event] = [
    (
        kst(2025, 4, 14),
        "date",
        "Asia/Seoul",
        EventKind.UNAUTHORISED_ACCESS,
        "Suspect begins exploiting the authentication gateway (investigators' account, secondary report)",
        "biometricupdate.com 2026-02, citing Asia Business Daily",
        "low",
        "investigators",
        "kr",
        {},
    ),
    (
        kst(2025, 6, 24),
        "date",
        "Asia/Seoul",
        EventKind.UNAUTHORISED_ACCESS,
        "Start of unauthorised access through overseas servers (company's account)",
        "NationPress; modaes; company apology",
        "high",
        "company",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 6, 18, 38),
        "exact",
        "Asia/Seoul",
        EventKind.UNAUTHORISED_ACCESS,
        "Access to 4,536 customer profiles by abuse of signed access tokens (time given in the KISA report)",
        "kollo.kr citing a National Assembly member / KISA report",
        "medium",
        "company",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 16, 22, 12),
        "exact",
        "Asia/Seoul",
        EventKind.DETECTION,
        "Customer e-mail reports exposed data: first anomaly signal",
        "donga.com 2025-12-04 citing PIPC filing data",
        "medium",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 17, 16, 0),
        "exact",
        "Asia/Seoul",
        EventKind.AWARENESS,
        "Aware of the infringement at about 16:00; reported to the CISO (joint investigation team's finding)",
        "zdnet.co.kr 2026-02-10",
        "high",
        "investigators",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 18, 22, 52),
        "exact",
        "Asia/Seoul",
        EventKind.AWARENESS,
        "Company confirms that 4,536 customers' data leaked and revokes the signing key (company's position)",
        "donga 2025-12-04; kollo",
        "high",
        "company",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 19, 21, 35),
        "exact",
        "Asia/Seoul",
        EventKind.REGULATOR_REPORT,
        "Infringement report to KISA (Network Act)",
        "zdnet 2026-02-10; MSIT release 2025-11-29",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 19, 22, 34),
        "exact",
        "Asia/Seoul",
        EventKind.REGULATOR_REQUEST,
        "MSIT orders preservation of web and app access logs",
        "zdnet 2026-02-10",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 20),
        "date",
        "Asia/Seoul",
        EventKind.REGULATOR_REPORT,
        "First PIPA leak report to the PIPC (4,536 accounts)",
        "MSIT/PIPC release 2025-11-29 (k-esg.org); donga",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 20),
        "date",
        "Asia/Seoul",
        EventKind.DATA_SUBJECT_NOTICE,
        "SMS and e-mail notice to the 4,536 affected customers",
        "MSIT/PIPC release 2025-11-29; donga",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 21),
        "date",
        "Asia/Seoul",
        EventKind.INVESTIGATION_MILESTONE,
        "PIPC investigation starts",
        "MSIT/PIPC release; koreadaily 2025-12-08",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 11, 21),
        "date",
        "Asia/Seoul",
        EventKind.LAW_ENFORCEMENT,
        "Police begin a preliminary inquiry",
        "koreadaily 2025-12-08",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 11, 25, 13, 37),
        "exact",
        "Asia/Seoul",
        EventKind.NOTE,
        "Threatening e-mail from the presumed leaker",
        "donga 2025-12-04",
        "medium",
        "",
        None,
        {},
    ),
    (
        kst(2025, 11, 25),
        "date",
        "Asia/Seoul",
        EventKind.LAW_ENFORCEMENT,
        "Company files a criminal complaint with the Seoul Metropolitan Police (network intrusion)",
        "koreadaily; newsread",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 27, 3, 47),
        "exact",
        "Asia/Seoul",
        EventKind.COUNT_REVISION,
        "Company confirms 33,700,034 affected accounts",
        "donga 2025-12-04",
        "medium",
        "company",
        "kr",
        {"jurisdiction": "KR", "count": 33_700_034},
    ),
    (
        kst(2025, 11, 28),
        "date",
        "Asia/Seoul",
        EventKind.LAW_ENFORCEMENT,
        "Police interview the company as complainant",
        "koreadaily",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 11, 29),
        "date",
        "Asia/Seoul",
        EventKind.PUBLIC_DISCLOSURE,
        "Public disclosure that 33.7 million accounts are affected",
        "SBS 2025-11-30; MSIT release 11-29",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 29),
        "date",
        "Asia/Seoul",
        EventKind.REGULATOR_REPORT,
        "Second PIPA leak report to the PIPC (33.7 million accounts)",
        "MSIT release 2025-11-29",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 11, 29),
        "date",
        "Asia/Seoul",
        EventKind.INVESTIGATION_MILESTONE,
        "MSIT decides to form a public-private joint investigation team",
        "MSIT release 2025-11-29; heraldcorp",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 11, 30),
        "date",
        "Asia/Seoul",
        EventKind.INVESTIGATION_MILESTONE,
        "Joint investigation team formed",
        "MSIT release",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 12, 2),
        "date",
        "Asia/Seoul",
        EventKind.REGULATOR_REQUEST,
        "Government sends a formal written request for full cooperation",
        "biz.chosun 2025-12-30 citing the company's 8-K/A",
        "medium",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 12, 2),
        "date",
        "Asia/Seoul",
        EventKind.INVESTIGATION_MILESTONE,
        "National Assembly Science & ICT Committee questions the chief executive",
        "alphabiz; newsis 2025-12-02",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 12, 3),
        "date",
        "Asia/Seoul",
        EventKind.REGULATOR_REQUEST,
        "PIPC orders a re-notice calling the incident a breach (유출), listing every item, and a report back within 7 days",
        "zdnet/segye/donga 2025-12-03",
        "high",
        "",
        "kr",
        {"offset": "7cd", "calendar": "", "tz": "Asia/Seoul", "regulator": "PIPC"},
    ),
    (
        kst(2025, 12, 7),
        "date",
        "Asia/Seoul",
        EventKind.DATA_SUBJECT_NOTICE,
        "Revised breach notice issued to customers",
        "NationPress; indialife",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2025, 12, 9),
        "date",
        "Asia/Seoul",
        EventKind.LAW_ENFORCEMENT,
        "Police raid the company's headquarters (first of about six raids); the warrant names a former authentication engineer as suspect",
        "koreadaily; fnnews 2025-12-10; heraldcorp 12-15",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2025, 12, 10),
        "date",
        "Asia/Seoul",
        EventKind.EXECUTIVE_RESIGNATION,
        "Chief executive of the Korean operating company resigns",
        "Business Times 2025-12-10; insideretail; alphabiz",
        "high",
        "",
        "kr",
        {"covered_officer": False},
    ),
    (
        kst(2025, 12, 10),
        "date",
        "Asia/Seoul",
        EventKind.BOARD,
        "The parent's chief administrative officer and general counsel named interim chief executive",
        "Business Times 2025-12-10; insideretail",
        "high",
        "",
        "kr",
        {},
    ),
    (
        et(2025, 11, 18),
        "date",
        "America/New_York",
        EventKind.MATERIALITY_DETERMINATION,
        "Materiality treated as determined (date alleged in the US class action; the company's own date was not found)",
        "cybersecurityinfocus; biz.chosun 2025-12-21",
        "low",
        "class action",
        "us",
        {},
    ),
    (
        et(2025, 12, 16),
        "date",
        "America/New_York",
        EventKind.REGULATOR_REPORT,
        "Form 8-K filed with the SEC (item number not confirmed)",
        "cybersecurityinfocus; biz.chosun 2025-12-21",
        "high",
        "",
        "us",
        {},
    ),
    (
        et(2025, 12, 18),
        "date",
        "America/New_York",
        EventKind.LITIGATION,
        "US securities class action filed (N.D. Cal.)",
        "cybersecurityinfocus; biz.chosun",
        "medium",
        "",
        "us",
        {},
    ),
    (
        kst(2025, 12, 25),
        "date",
        "Asia/Seoul",
        EventKind.PRESS,
        "Company announces self-investigation results (about 3,000 accounts stored, then deleted); MSIT says these were not verified",
        "biz.chosun 12-30/31",
        "high",
        "company",
        None,
        {},
    ),
    (
        et(2025, 12, 29),
        "date",
        "America/New_York",
        EventKind.REGULATOR_REPORT,
        "Form 8-K/A with the investigation update and KRW 1.685 trillion in customer vouchers",
        "stocktitan (8-K/A); donga 2025-12-31",
        "high",
        "",
        "us",
        {},
    ),
    (
        kst(2025, 12, 31),
        "date",
        "Asia/Seoul",
        EventKind.INVESTIGATION_MILESTONE,
        "Joint National Assembly hearing; government announces a cross-ministry response; MSIT asks police to investigate the breach of the preservation order",
        "asiae 2025-12-31; bnsglobalnews",
        "high",
        "",
        None,
        {},
    ),
    (
        kst(2026, 1, 14),
        "date",
        "Asia/Seoul",
        EventKind.REGULATOR_REQUEST,
        "PIPC plenary tells the company to stop posting its self-investigation claims and warns about late document submissions",
        "zdnet 2026-01-14; segye",
        "high",
        "",
        "kr",
        {},
    ),
    (
        kst(2026, 2, 5),
        "date",
        "Asia/Seoul",
        EventKind.COUNT_REVISION,
        "Company reports a further 165,455 accounts (PIPC count about 33.86 million)",
        "segye 2026-02-10",
        "medium",
        "company",
        "kr",
        {"jurisdiction": "KR", "count": 33_865_489},
    ),
    (
        kst(2026, 2, 10),
        "date",
        "Asia/Seoul",
        EventKind.INVESTIGATION_MILESTONE,
        "Joint investigation results: 33.67 million name and e-mail records leaked; late KISA report to be fined; deleted logs referred to police",
        "zdnet, newsis 2026-02-10",
        "high",
        "investigators",
        None,
        {},
    ),
    (
        kst(2026, 2, 10),
        "date",
        "Asia/Seoul",
        EventKind.COUNT_REVISION,
        "Joint investigation counts 33.67 million leaked records",
        "zdnet, newsis 2026-02-10",
        "high",
        "investigators",
        "kr",
        {"jurisdiction": "KR", "count": 33_670_000},
    ),
    (
        kst(2026, 6, 10),
        "date",
        "Asia/Seoul",
        EventKind.PENALTY,
        "PIPC announces penalties of about USD 278 million for the incident (KRW amount not found); the company will appeal",
        "secwatch.observer summary of EDGAR filing 0001834584-26-000056",
        "medium",
        "",
        None,
        {},
    ),
    (
        et(2026, 6, 11),
        "date",
        "America/New_York",
        EventKind.REGULATOR_REPORT,
        "Form 8-K (Item 8.01) discloses the PIPC penalties",
        "secwatch.observer",
        "medium",
        "",
        "us",
        {},
    ),
]

# (code, entity key, recipient, when, channel, reference, notes)
CASE_FILINGS = [
    (
        "kr-network-act-48-3-initial",
        "kr",
        "KISA",
        kst(2025, 11, 19, 21, 35),
        "KISA online report",
        "",
        "MSIT later ruled this report late under the investigators' awareness time.",
    ),
    (
        "kr-pipa-34-pipc-report",
        "kr",
        "PIPC",
        kst(2025, 11, 20),
        "PIPC leak report",
        "",
        "First report (4,536 accounts). The hour of filing was not found in public sources.",
    ),
    (
        "kr-pipa-34-subject-notice",
        "kr",
        "Affected data subjects",
        kst(2025, 11, 20),
        "SMS and e-mail",
        "",
        "Notice to 4,536 customers.",
    ),
    (
        "kr-pipa-34-pipc-report",
        "kr",
        "PIPC",
        kst(2025, 11, 29),
        "PIPC leak report",
        "",
        "Second report (33.7 million accounts).",
    ),
    (
        "us-sec-8k-1-05",
        "us",
        "SEC (EDGAR)",
        et(2025, 12, 16, 17, 0),
        "EDGAR",
        "",
        "Item number not confirmed; filing hour not known (17:00 ET assumed).",
    ),
    (
        "us-sec-8k-1-05",
        "us",
        "SEC (EDGAR)",
        et(2025, 12, 29, 17, 0),
        "EDGAR",
        "8-K/A",
        "Amendment with the investigation update; filing hour not known.",
    ),
]


class Command(BaseCommand):
    help = "Load the demo incidents (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        owner = self._demo_user("demo-officer", "compliance")
        self._demo_user("demo-counsel", "legal")
        self._demo_user("demo-viewer", "viewer")
        if Incident.objects.filter(reference=CASE_REFERENCE).exists():
            self.stdout.write(f"{CASE_REFERENCE} already present.")
        else:
            self._load_case(owner)
            self.stdout.write(self.style.SUCCESS(f"Loaded {CASE_REFERENCE}."))
        if Incident.objects.filter(reference=FICTIONAL_REFERENCE).exists():
            self.stdout.write(f"{FICTIONAL_REFERENCE} already present.")
        else:
            self._load_fictional(owner)
            self.stdout.write(self.style.SUCCESS(f"Loaded {FICTIONAL_REFERENCE}."))

    def _demo_user(self, username: str, role: str) -> User:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com"}
        )
        if created:
            # No password: an admin sets one in /admin/ before anybody signs in as this user.
            user.set_unusable_password()
            user.save()
            user.groups.add(Group.objects.get(name=role))
            Profile.objects.get_or_create(user=user)
        return user

    @transaction.atomic
    def _load_case(self, owner: User) -> None:
        incident = services.incident_open(
            reference=CASE_REFERENCE,
            title="2025 Korean e-commerce account breach (33.7 million accounts) — reconstruction",
            summary=(
                "Reconstruction from public reporting of the breach disclosed in November 2025 by a "
                "large Korean e-commerce company: a former insider abused signing keys to access "
                "customer accounts. Times are as reported; confidence is marked per event. People "
                "are named by role only."
            ),
            severity="critical",
            owner=owner,
            team="Privacy & Security Compliance",
            data_categories=["name", "email", "phone", "delivery_address", "order_history"],
            external_attack=True,
            sensitive_data=False,
            unique_identifiers=False,
            is_reconstruction=True,
        )
        entities = {
            "kr": services.legal_entity_add(
                incident=incident,
                name="Coupang Corp.",
                name_local="쿠팡 주식회사",
                country="KR",
                role="Korean operating company (ICT service provider, personal information controller)",
                ict_service_provider=True,
                sec_registrant=False,
                hipaa_covered_entity=False,
                eu_financial_entity=False,
                nis2_entity=False,
                kr_financial_company=False,
                credit_information_company=False,
                app_entity_au=False,
                jurisdictions=["KR"],
                reference_tz="Asia/Seoul",
            ),
            "us": services.legal_entity_add(
                incident=incident,
                name="Coupang, Inc.",
                name_local="",
                country="US",
                role="US-listed parent (SEC registrant)",
                ict_service_provider=False,
                sec_registrant=True,
                hipaa_covered_entity=False,
                eu_financial_entity=False,
                nis2_entity=False,
                kr_financial_company=False,
                credit_information_company=False,
                app_entity_au=False,
                jurisdictions=["US"],
                reference_tz="America/New_York",
            ),
        }
        services.affected_count_revise(
            incident=incident,
            jurisdiction="KR",
            count=4_536,
            as_of=kst(2025, 11, 18, 22, 52),
            source="Initial report to KISA (MSIT release 2025-11-29)",
        )
        for when, precision, tz, kind, title, source, confidence, basis, key, data in CASE_EVENTS:
            services.timeline_event_record(
                incident=incident,
                kind=kind,
                occurred_at=when,
                precision=precision,
                entered_tz=tz,
                title=title,
                source_title=source,
                confidence=confidence,
                basis=basis,
                legal_entity=entities[key] if key else None,
                data=data,
                recorded_by=owner,
            )
        for code, key, recipient, when, channel, reference, notes in CASE_FILINGS:
            deadline = Deadline.objects.filter(
                incident=incident, legal_entity=entities[key], code=code
            ).first()
            services.filing_submit(
                incident=incident,
                deadline=deadline,
                legal_entity=entities[key],
                recipient=recipient,
                submitted_at=when,
                channel=channel,
                reference_number=reference,
                notes=notes,
                submitted_by=owner,
            )
        request = Deadline.objects.filter(incident=incident, code="regulator-request").first()
        if request is not None:
            services.filing_submit(
                incident=incident,
                deadline=request,
                recipient="Affected data subjects (revised notice)",
                submitted_at=kst(2025, 12, 7),
                channel="SMS and e-mail",
                notes=(
                    "Revised notice issued 2025-12-07 (NationPress). Whether and when the company "
                    "reported back to the PIPC was not found in public sources."
                ),
                submitted_by=owner,
            )

    @transaction.atomic
    def _load_fictional(self, owner: User) -> None:
        incident = services.incident_open(
            reference=FICTIONAL_REFERENCE,
            title="Ransomware at a fictional health-tech group (EU and US obligations)",
            summary=(
                "Fictional incident for contrast: ransomware encrypts a patient-portal database "
                "shared by a German subsidiary and a US clinic-software company."
            ),
            severity="high",
            owner=owner,
            team="Security Operations",
            data_categories=["name", "email", "phi"],
            external_attack=True,
            sensitive_data=True,
            unique_identifiers=False,
            extra_facts={"breach_risk": True, "high_risk": True, "significant_incident": True},
        )
        eu = services.legal_entity_add(
            incident=incident,
            name="Mediq Health GmbH (fictional)",
            country="DE",
            role="EU controller and NIS2 important entity",
            nis2_entity=True,
            eu_financial_entity=False,
            hipaa_covered_entity=False,
            sec_registrant=False,
            ict_service_provider=False,
            jurisdictions=["EU"],
            reference_tz="Europe/Berlin",
        )
        us = services.legal_entity_add(
            incident=incident,
            name="Mediq Clinics Inc. (fictional)",
            country="US",
            role="HIPAA covered entity",
            hipaa_covered_entity=True,
            sec_registrant=False,
            ict_service_provider=False,
            eu_financial_entity=False,
            nis2_entity=False,
            jurisdictions=["US"],
            reference_tz="America/New_York",
        )
        for jurisdiction, count in [("EU", 12_400), ("US", 1_250), ("US-CA", 640)]:
            services.affected_count_revise(
                incident=incident,
                jurisdiction=jurisdiction,
                count=count,
                as_of=datetime(2026, 11, 25, 15, 0, tzinfo=CET),
                source="Forensic triage (fictional)",
            )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.DETECTION,
            occurred_at=datetime(2026, 11, 25, 6, 40, tzinfo=CET),
            entered_tz="Europe/Berlin",
            title="EDR alert: mass file encryption on the portal database server",
            source_title="Internal SOC ticket (fictional)",
            recorded_by=owner,
        )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.AWARENESS,
            occurred_at=datetime(2026, 11, 25, 14, 0, tzinfo=CET),
            entered_tz="Europe/Berlin",
            title="DPO confirms personal data was exfiltrated before encryption",
            source_title="Incident bridge minutes (fictional)",
            recorded_by=owner,
            legal_entity=eu,
        )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.AWARENESS,
            occurred_at=datetime(2026, 11, 25, 9, 30, tzinfo=ET),
            entered_tz="America/New_York",
            title="Privacy officer discovers the breach of unsecured PHI",
            source_title="Incident bridge minutes (fictional)",
            recorded_by=owner,
            legal_entity=us,
        )
        services.timeline_event_record(
            incident=incident,
            kind=EventKind.REGULATOR_REQUEST,
            occurred_at=datetime(2026, 11, 26, 10, 0, tzinfo=CET),
            entered_tz="Europe/Berlin",
            title="Supervisory authority asks for the list of affected systems within 5 business days",
            source_title="Letter from the authority (fictional)",
            legal_entity=eu,
            data={"offset": "5bd", "calendar": "WEEKENDS", "tz": "Europe/Berlin"},
            recorded_by=owner,
        )
