"""Load the demo data: the 2025 Korean e-commerce breach, reconstructed from public reporting,
and a smaller fictional incident with US and EU obligations. Idempotent.

Everything goes through the same service functions as the pages, so deadlines (and, later,
reminders) appear exactly as they would for a real incident.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from common.services import user_roles_set
from incidents import services
from incidents.demo_data import (
    CASE_DATA_CATEGORIES,
    CASE_EVENTS,
    CASE_FILINGS,
    CASE_REFERENCE,
    CET,
    ET,
    FICTIONAL_REFERENCE,
    kst,
)
from incidents.models import Deadline, EventKind, Incident, Profile


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
            user_roles_set(user=user, roles=[role])
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
            data_categories=CASE_DATA_CATEGORIES,
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
        for code, key, started_by_count, recipient, when, channel, reference, notes in CASE_FILINGS:
            deadlines = Deadline.objects.filter(
                incident=incident, legal_entity=entities[key], code=code
            )
            if started_by_count is not None:
                deadlines = deadlines.filter(trigger_revision__as_of=started_by_count)
            deadline = deadlines.order_by("id").first()
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
                    "reported back to the PIPC was not found in public sources. Source: "
                    "NationPress; indialife (confidence: high)."
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
