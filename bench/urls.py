from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>bare Django view</p>")


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
