from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("contact/", views.contact, name="contact"),
    path("contact/received/", views.confirmation, name="confirmation"),
    path("status/", views.status, name="status"),
    path("status/request/", views.status_result, name="status_result"),
]
