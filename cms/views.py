from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from wagtail.documents import get_document_model
from wagtail.documents.views.serve import serve as wagtail_document_serve

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


def document_serve(request, document_id, document_filename):
    """Wagtail's document view (it checks the collection's view restrictions,
    then streams the private file or redirects to its presigned URL). A
    document of a restricted collection, a seller's, is never kept by a
    shared cache, and neither is the short-lived URL it redirects to."""
    response = wagtail_document_serve(request, document_id, document_filename)
    document = (
        get_document_model()
        .objects.filter(pk=document_id)
        .select_related("collection")
        .first()
    )
    if document is not None and document.collection.get_view_restrictions():
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
    return response
