"""REST API URLs of this app, mounted under /api/v1/ by cms/urls.py."""

from rest_framework.routers import SimpleRouter

from traceability.api import LotViewSet


class OptionalSlashRouter(SimpleRouter):
    """`/api/v1/lots/7/epcis` and `…/epcis/` both answer: API clients often
    do not follow a redirect."""

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("lots", LotViewSet, basename="lot")

urlpatterns = router.urls
