"""A full-page cache for anonymous visitors' public pages.

One version number covers everything public pages show (pages, navigation, site settings).
Whatever changes that content calls `public_cache_invalidate()`; the next request for any
public page then renders afresh. Pages opt in by setting `response.public_cache = True`."""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

_VERSION_KEY = "public-cache:version"
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def public_cache_version() -> int:
    return cache.get_or_set(_VERSION_KEY, 1, timeout=None)


def public_cache_invalidate() -> None:
    try:
        cache.incr(_VERSION_KEY)
    except ValueError:
        cache.set(_VERSION_KEY, 2, timeout=None)


def _is_anonymous_plain_get(request) -> bool:
    # No session and no pending messages: nothing personal can be on the page.
    return (
        request.method in {"GET", "HEAD"}
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request) -> str:
    return (
        f"public-page:{public_cache_version()}:{request.get_host()}:"
        f"{request.LANGUAGE_CODE}:{request.path}"
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _is_anonymous_plain_get(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Tandem-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if (
            getattr(response, "public_cache", False)
            and response.status_code == 200
            and not response.streaming
            # A page that handed out a CSRF token or set a cookie is not the same for everyone.
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not request.session.modified
            and not response.cookies
        ):
            headers = [(h, response.headers[h]) for h in _KEPT_HEADERS if h in response.headers]
            cache.set(key, (response.content, headers), timeout=settings.PUBLIC_CACHE_SECONDS)
            response.headers["X-Tandem-Cache"] = "miss"
        return response
