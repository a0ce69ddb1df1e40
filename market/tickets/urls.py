from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("ve/<int:ticket_id>/<str:signature>/", views.ticket_detail, name="ticket"),
]
