from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render


def search(request):
    """Site search; the search issue replaces this with the full page."""
    return render(request, "cms/search.html", {"query": request.GET.get("q", "")})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
