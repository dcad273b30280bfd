"""The project's URLs plus a bare ``@login_required`` view, for ``manage.py bench_pages``.

The bare view goes through the same middleware (session, user, time zone, second factor, CSRF)
as every page, and does nothing else: the pages are measured as a multiple of it, so that the
figure means the same on a quiet and on a busy machine.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

BARE_PATH = "/__bench__/bare/"


@login_required
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare), *project_urlpatterns]


def bench_settings() -> dict[str, object]:
    """Settings for driving the project with Django's test ``Client`` in a benchmark.

    Not ``setup_test_environment()``: that instruments every template render to send a signal
    the test client answers by copying the whole context (for ``response.context``), which
    production never does; it cost the pages, not the bare view (which renders no template),
    about a fifth of their time and so inflated their ratio. This keeps only what the client
    needs: 'testserver' as an allowed host, and e-mail kept in memory.
    """
    from django.conf import settings

    return {
        "ALLOWED_HOSTS": [*settings.ALLOWED_HOSTS, "testserver"],
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # force_login cannot pass a second factor; the benchmarks measure the pages themselves.
        "OTP_ENFORCED": False,
        "ROOT_URLCONF": "tools.bench_urls",
    }
