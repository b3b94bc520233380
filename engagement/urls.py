from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("join/", TemplateView.as_view(template_name="base.html"), name="join"),
    path("me/", TemplateView.as_view(template_name="base.html"), name="me"),
]
