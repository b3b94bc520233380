"""What every page's shell shows (navigation, footer, quick exit), cached until it changes."""

from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page, Site

from cms.models import DEFAULT_QUICK_EXIT_URL, SiteSettings
from core.public_cache import public_cache_version


def site_shell_for_request(request) -> dict:
    """Rebuilt whenever public content changes (see core.public_cache); one per language."""
    language = translation.get_language()
    key = f"cms:shell:{public_cache_version()}:{request.get_host()}:{language}"
    shell = cache.get(key)
    if shell is None:
        shell = _build_shell(request, language)
        cache.set(key, shell, timeout=60 * 60)
    return shell


def _build_shell(request, language: str) -> dict:
    site = Site.find_for_request(request)
    shell = {
        "home_url": reverse("home"),
        "quick_exit_url": DEFAULT_QUICK_EXIT_URL,
        "helpline_text": "",
        "contact_email": "",
        "navigation": [],
        "footer_links": [],
    }
    if site is None:
        return shell
    site_settings = SiteSettings.for_site(site)
    shell["quick_exit_url"] = site_settings.quick_exit_url
    shell["helpline_text"] = (
        language == "cy" and site_settings.helpline_text_cy
    ) or site_settings.helpline_text
    shell["contact_email"] = site_settings.contact_email
    # The home page, menu and footer pages in this language where a live translation exists
    # (each page's `localized`), otherwise the English ones.
    home = site.root_page.localized
    shell["home_url"] = home.get_url(request) or shell["home_url"]
    menu_pages = Page.objects.child_of(home).live().public().in_menu().order_by("path")
    shell["navigation"] = [
        {"title": page.title, "url": page.get_url(request)}
        for page in menu_pages.specific(defer=True)
    ]
    footer_ids = [
        pk for pk in (site_settings.accessibility_page_id, site_settings.safeguarding_page_id) if pk
    ]
    footer_pages = {page.pk: page for page in Page.objects.live().filter(pk__in=footer_ids)}
    shell["footer_links"] = [
        {"title": page.title, "url": page.get_url(request)}
        for page in (footer_pages[pk].localized for pk in footer_ids if pk in footer_pages)
    ]
    return shell
