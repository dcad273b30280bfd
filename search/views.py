"""The search page (the top bar's search box submits here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from search.forms import SearchForm
from search.services import search

PAGE_SIZE = 20


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            results = search(
                user=request.user,
                query=form.to_query(),
                page=form.cleaned_data.get("page") or 1,
                page_size=PAGE_SIZE,
            )
        else:
            status = 400
    return render(request, "search/results.html", {"form": form, "results": results}, status=status)
