from allauth.account import views as allauth_views
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.views import language_set
from core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Choosing a language only sets a cookie; exempting it from CSRF keeps the selector free of
    # per-visitor tokens, so public pages can be cached whole.
    path("i18n/setlang/", csrf_exempt(language_set), name="set_language"),
    # Nobody signs in anywhere but allauth's form, which asks staff for a one-time code, counts
    # failed attempts, requires a verified address and refuses demo accounts in production. So
    # the login and password-reset forms that Wagtail mounts (admin and front end) redirect there.
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    re_path(r"^admin/password_reset/", RedirectView.as_view(pattern_name="account_reset_password")),
    path("_util/login/", RedirectView.as_view(pattern_name="account_login", query_string=True)),
    path("admin/logout/", allauth_views.logout, name="admin_logout"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Images only (originals and renditions). Documents are never served from MEDIA_ROOT: only
    # Wagtail's document view, which checks who may see them, serves them.
    for folder in ("original_images", "images"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{folder}/", document_root=settings.MEDIA_ROOT / folder
        )

# Everything people read has an address per language: English without a prefix (/join/,
# /about/), Welsh under /cy/ (/cy/join/, /cy/amdanom/). The address alone decides the
# language, so a page cached whole is the same for everyone who asks for it, and a link from a
# Welsh page (or a Welsh email) stays Welsh. The admin, documents and the health check above
# have one address each.
urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("engagement.urls")),
    # The home page, by a name that reverses to / or /cy/ (signing out lands here).
    path("", wagtail_views.serve, {"path": ""}, name="home"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
