"""Public URLs of this app (included from cms/urls.py)."""

urlpatterns: list = []
