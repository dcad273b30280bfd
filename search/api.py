"""GET /api/v1/search/: the page's search over the API (same form, same service, same scoping)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from common.api.schema import AutoSchema
from common.api.views import ApiViewSet
from incidents.choices import IncidentStatus
from incidents.models import Incident
from search.forms import MAX_PAGE, SearchForm
from search.registry import kind_choices
from search.services import Hit, search

MAX_PAGE_SIZE = 50


class ApiSearchForm(SearchForm):
    """The page's form, with what a query string may hold that the schema allows: any 2 to 200
    characters (blank words give no hit), any regulator code (an unknown one matches nothing) and
    an empty date range (no hit). Whatever the schema forbids is still a 400."""

    q = forms.CharField(min_length=2, max_length=200, strip=False)
    regulator = forms.CharField(required=False, max_length=200, strip=False)  # type: ignore[assignment]
    page_size = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE)

    # Typed parameters: the schema gives each a format or an enum, so an empty value ("?date_from=")
    # is not "absent" here, as it is in the page's form, but invalid.
    TYPED = ("date_from", "date_to", "page", "page_size", "kind", "status")

    def clean(self) -> dict[str, Any]:
        for name in self.TYPED:
            if name in self.data and not str(self.data.get(name, "")).strip():
                self.add_error(name, _("Give a value or leave the parameter out."))
        return forms.Form.clean(self) or {}


class HitOutput(serializers.Serializer[Hit]):
    kind = serializers.CharField(source="kind.key", help_text="incident, event, filing, request")
    id = serializers.IntegerField(source="obj.pk")
    incident = serializers.CharField(source="incident.reference", help_text="Its reference.")
    incident_title = serializers.CharField(source="incident.title")
    at = serializers.DateTimeField(help_text="The kind's date (created, occurred, submitted).")
    title = serializers.SerializerMethodField()
    title_highlighted = serializers.CharField(
        source="title_html", help_text="HTML: the title escaped, matches in <mark>."
    )
    snippet_highlighted = serializers.CharField(
        source="snippet_html", help_text="HTML: the matching text around the first match."
    )
    url = serializers.CharField(help_text="The page showing this record.")

    def get_title(self, hit: Hit) -> str:
        return str(hit.kind.title(hit.obj))


class SearchOutput(serializers.Serializer[Any]):
    page = serializers.IntegerField(source="number")
    page_size = serializers.IntegerField()
    has_next = serializers.BooleanField(help_text="No total is counted; ask for page+1.")
    results = HitOutput(source="hits", many=True)


class _OnePageSchema(AutoSchema):
    """The "list" action answers one object (a page with its hits), not an array."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


def _parameter(name: str, kind: Any, text: str, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=text, **extra)


class SearchViewSet(ApiViewSet):
    """Search everything you may see: incidents, timeline events, filings, regulator requests.

    Need-to-know applies to every hit. All words must match (full-text prefix or substring).
    Newest first. Invalid input is a 400 with the project's error body.
    """

    # The search pages and filters itself (search.services); the generic list machinery and
    # the queryset exist only so that the schema generator finds a model.
    queryset = Incident.objects.none()
    schema = _OnePageSchema()
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        parameters=[
            _parameter(
                "q",
                {"type": "string", "minLength": 2, "maxLength": 200, "pattern": "^[^\\u0000]*$"},
                "2 to 200 characters; all words must match.",
                required=True,
            ),
            _parameter("kind", str, "Only this kind.", enum=[k for k, _ in kind_choices()]),
            _parameter(
                "regulator",
                {"type": "string", "maxLength": 200, "pattern": "^[^\\u0000]*$"},
                "A regulator code, e.g. PIPC; an unknown code matches nothing.",
            ),
            _parameter("date_from", OpenApiTypes.DATE, "From this day (your time zone)."),
            _parameter(
                "date_to",
                OpenApiTypes.DATE,
                "Up to and including this day (before date_from: no hit).",
            ),
            _parameter("status", str, "The incident's status.", enum=IncidentStatus.values),
            _parameter("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "Page."),
            _parameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 20},
                "Hits per page.",
            ),
        ],
        responses={200: SearchOutput},  # 400/401/403/404: added by common.api.schema
    )
    def list(self, request: Request) -> Response:
        form = ApiSearchForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(
                {
                    name: [e["message"] for e in errs]
                    for name, errs in form.errors.get_json_data().items()
                }
            )
        results = search(
            user=request.user,
            query=form.to_query(),
            page=form.cleaned_data.get("page") or 1,
            page_size=form.cleaned_data.get("page_size") or 20,
        )
        return Response(SearchOutput(results, context={"request": request}).data)
