"""Choosing a language takes a person to the same page in that language."""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.i18n import set_language
from wagtail.models import Locale, Page
from wagtail.views import serve


def language_set(request):
    """Django's `set_language`, with `next` read in its own language.

    Every address outside /cy/ is English, the selector's own included, so `set_language`
    alone would read a Welsh address (/cy/join/about/) as an English one and fail to
    translate it. And a public page goes to its own translation, wherever that lives (Welsh
    pages may have Welsh slugs), not to the same slugs under /cy/; other pages go to the same
    address in the other language."""
    next_url = request.POST.get("next", request.GET.get("next", ""))
    path = urlsplit(next_url).path
    with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
        response = set_language(request)
        language = request.POST.get("language", "")
        if (
            request.method == "POST"
            and response.status_code == 302
            and translation.check_for_language(language)
            and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
        ):
            page_url = _page_url_in(request, path, language)
            if page_url:
                response["Location"] = page_url
    return response


def _page_url_in(request, path: str, language: str) -> str | None:
    """The URL of the public page at `path` in `language`: its own translation, or, while it
    has none, its nearest translated parent's (the home page at least), not a missing page."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.func is not serve:
        return None
    page = Page.find_for_request(
        request, match.kwargs.get("path", match.args[0] if match.args else "")
    )
    locale = Locale.objects.filter(language_code=language).first()
    if page is None or locale is None:
        return None
    for candidate in page.get_ancestors(inclusive=True).filter(depth__gt=1).reverse():
        translated = candidate.get_translation_or_none(locale)
        if translated is not None and translated.live:
            return translated.get_url(request)
    return None
