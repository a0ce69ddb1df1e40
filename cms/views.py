from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cms.health import health
from cms.search.forms import SearchForm
from cms.search.highlight import mark_matches
from cms.search.selectors import clean_query, product_search, product_suggestions


def search(request):
    """Product search: words (with or without diacritics) and market filters."""
    form = SearchForm(request.GET or None)
    filters = form.filters()
    query = clean_query(request.GET.get("q"))
    result = None
    if query:
        result = product_search(
            query=query, filters=filters, page_number=request.GET.get("page")
        )
        mark_matches(result.page, query)
    return render(
        request,
        "cms/search.html",
        {"form": form, "query": query, "search": result},
    )


@require_GET
def search_autocomplete(request):
    """Up to eight product titles for what has been typed so far (JSON)."""
    suggestions = product_suggestions(prefix=request.GET.get("q", ""))
    response = JsonResponse({"suggestions": suggestions})
    response["Cache-Control"] = "max-age=60"
    return response


@never_cache
@require_GET
def healthz(request):
    """Database, cache and task queue, each with its status (JSON): 200 when
    all are ok, 503 naming the ones that are not. No sign-in, never cached,
    for the load balancer and the monitoring."""
    report = health()
    return JsonResponse(report, status=200 if not report["failed"] else 503)
