"""factory_boy factories for the models the tests build most."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from incidents.models import Incident, LegalEntity, Profile, TimelineEvent

KST = ZoneInfo("Asia/Seoul")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs: Any) -> None:
        if create:
            Profile.objects.get_or_create(user=self)
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    reference = factory.Sequence(lambda n: f"INC-2026-{n + 100:04d}")
    title = factory.Sequence(lambda n: f"Incident {n}")
    owner = factory.SubFactory(UserFactory)
    external_attack = True
    sensitive_data = False
    unique_identifiers = False


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity

    incident = factory.SubFactory(IncidentFactory)
    name = factory.Sequence(lambda n: f"Entity {n} Co.")
    country = "KR"
    ict_service_provider = True
    sec_registrant = False
    hipaa_covered_entity = False
    eu_financial_entity = False
    nis2_entity = False
    kr_financial_company = False
    credit_information_company = False
    app_entity_au = False
    jurisdictions = factory.LazyFunction(lambda: ["KR"])


class TimelineEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimelineEvent

    incident = factory.SubFactory(IncidentFactory)
    kind = "note"
    occurred_at = factory.LazyFunction(lambda: datetime(2025, 11, 17, 16, 0, tzinfo=KST))
    title = factory.Sequence(lambda n: f"Event {n}")
