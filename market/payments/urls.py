"""Public URLs of this app (included from cms/urls.py)."""

from django.urls import path

from market.payments import views

app_name = "payments"

urlpatterns = [
    # Webhooks first: "webhook" must not be read as an order number below.
    path("thanh-toan/webhook/the/", views.gateway_webhook, name="gateway_webhook"),
    path("thanh-toan/webhook/ngan-hang/", views.bank_webhook, name="bank_webhook"),
    path("thanh-toan/webhook/sepay/", views.sepay_webhook, name="sepay_webhook"),
    path("thanh-toan/webhook/casso/", views.casso_webhook, name="casso_webhook"),
    path("thanh-toan/webhook/payos/", views.payos_webhook, name="payos_webhook"),
    path("thanh-toan/<str:number>/", views.payment_page, name="page"),
    path("thanh-toan/<str:number>/the/bat-dau/", views.card_setup, name="card_setup"),
    path("thanh-toan/<str:number>/the/", views.card_pay, name="card_pay"),
    path("thanh-toan/<str:number>/trang-thai/", views.payment_status, name="status"),
    path("thanh-toan/<str:number>/vietqr.png", views.vietqr_image, name="vietqr_image"),
]
