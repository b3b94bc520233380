from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as tandem_urlpatterns


def bare(request):
    return HttpResponse("<!DOCTYPE html><title>bare</title><p>bare Django view</p>")


# Django allows language-prefixed patterns only in the root URLconf, so Tandem's are listed
# here rather than included.
urlpatterns = [path("bench/bare/", bare), *tandem_urlpatterns]
