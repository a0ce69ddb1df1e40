"""REST API URLs of this app, mounted under /api/v1/ by cms/urls.py."""

from rest_framework.routers import SimpleRouter

from market.api import ProductViewSet

router = SimpleRouter()
router.register("products", ProductViewSet, basename="product")

urlpatterns = router.urls
