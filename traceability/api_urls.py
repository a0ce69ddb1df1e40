"""REST API URLs of this app, mounted under /api/v1/ by cms/urls.py."""

urlpatterns: list = []
