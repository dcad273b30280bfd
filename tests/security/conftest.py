"""The security tests run with the two-factor page gate on, as in production."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _otp_enforced(settings):
    settings.OTP_ENFORCED = True
    yield
    # Requests with Accept-Language: ko leave Korean active in this thread; don't leak it.
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def verified_login(client):
    """force_login plus a passed second factor (a confirmed device stored in the session)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    def login(user):
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return login
