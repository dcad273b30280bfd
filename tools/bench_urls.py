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
