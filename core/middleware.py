from django.conf import settings
from django.utils.cache import add_never_cache_headers

# The public site runs no inline script or style, so its policy is strict. The Wagtail admin
# still relies on inline script and style, so it gets a looser policy of its own.
_COMMON = (
    "default-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
)
PUBLIC_POLICY = "; ".join((*_COMMON, "script-src 'self'", "style-src 'self'"))
ADMIN_POLICY = "; ".join(
    (
        *_COMMON,
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "frame-src 'self'",
    )
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = ADMIN_POLICY if request.path.startswith("/admin/") else PUBLIC_POLICY
        header = (
            "Content-Security-Policy-Report-Only"
            if settings.CSP_REPORT_ONLY
            else "Content-Security-Policy"
        )
        response.headers.setdefault(header, policy)
        return response


class PrivateByDefaultMiddleware:
    """Only pages that opt into the public cache may be stored by browsers and proxies.
    Everything else (sign-up steps, dashboards, the admin) can show personal data, so it is
    sent `no-store` unless the view chose its own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, "public_cache", False) and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response
