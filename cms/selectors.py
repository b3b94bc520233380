"""What every page's shell shows (navigation, footer, quick exit), cached until it changes."""

from django.core.cache import cache
from wagtail.models import Page, Site

from cms.models import DEFAULT_QUICK_EXIT_URL, SiteSettings
from core.public_cache import public_cache_version


def site_shell_for_request(request) -> dict:
    """Rebuilt whenever public content changes (see core.public_cache)."""
    key = f"cms:shell:{public_cache_version()}:{request.get_host()}"
    shell = cache.get(key)
    if shell is None:
        shell = _build_shell(request)
        cache.set(key, shell, timeout=60 * 60)
    return shell


def _build_shell(request) -> dict:
    site = Site.find_for_request(request)
    shell = {
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
    shell["helpline_text"] = site_settings.helpline_text
    shell["contact_email"] = site_settings.contact_email
    menu_pages = Page.objects.child_of(site.root_page).live().public().in_menu().order_by("path")
    shell["navigation"] = [
        {"title": page.title, "url": page.get_url(request)}
        for page in menu_pages.specific(defer=True)
    ]
    footer_ids = [
        pk for pk in (site_settings.accessibility_page_id, site_settings.safeguarding_page_id) if pk
    ]
    footer_pages = {page.pk: page for page in Page.objects.live().filter(pk__in=footer_ids)}
    shell["footer_links"] = [
        {"title": footer_pages[pk].title, "url": footer_pages[pk].get_url(request)}
        for pk in footer_ids
        if pk in footer_pages
    ]
    return shell
