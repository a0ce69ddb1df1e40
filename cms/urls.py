from django.conf import settings
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularJSONAPIView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views

api_patterns = [
    path("", include("market.api_urls")),
    path("", include("market.checkout.api_urls")),
    path("", include("market.payments.api_urls")),
    path("", include("market.fulfilment.api_urls")),
    path("", include("traceability.api_urls")),
    path("", include("cms.places.api_urls")),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
]

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path(
        "documents/<int:document_id>/<str:document_filename>",
        views.document_serve,
        name="wagtaildocs_serve",
    ),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_patterns)),
    path("search/", views.search, name="search"),
    path("search/autocomplete/", views.search_autocomplete, name="search_autocomplete"),
    path("healthz", views.healthz, name="healthz"),
    path("nong-dan/", include("farmer.urls")),
    path("", include("traceability.urls")),
    path("", include("market.checkout.urls")),
    path("", include("market.payments.urls")),
    path("", include("market.fulfilment.urls")),
    path("", include("market.tickets.urls")),
    path("", include("market.urls")),
]

if settings.SERVE_MEDIA:
    # In production a reverse proxy or object storage serves media instead.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

urlpatterns += [path("", include(wagtail_urls))]
