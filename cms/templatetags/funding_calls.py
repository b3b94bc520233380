"""Links from the signed-in proposal pages (engagement) to the public funding call pages,
which Wagtail serves wherever editors put the funding calls page, in the reader's language."""

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from wagtail.models import Site

from cms.models import FundingCallIndexPage
from core.public_cache import public_cache_version

register = template.Library()


def calls_page_url(request) -> str:
    """The funding calls page's address in this language ("" when there is none), kept until
    public content changes, like the shell."""
    language = translation.get_language()
    key = f"cms:calls-url:{public_cache_version()}:{request.get_host()}:{language}"
    url = cache.get(key)
    if url is None:
        site = Site.find_for_request(request)
        page = (
            FundingCallIndexPage.objects.live()
            .in_site(site)
            .filter(locale__language_code=settings.LANGUAGE_CODE)
            if site
            else FundingCallIndexPage.objects.none()
        ).first()
        url = (page.localized.get_url(request) or "") if page else ""
        cache.set(key, url, timeout=60 * 60)
    return url


@register.simple_tag(takes_context=True)
def funding_calls_url(context) -> str:
    return calls_page_url(context["request"])


@register.simple_tag(takes_context=True)
def funding_call_url(context, call) -> str:
    base = calls_page_url(context["request"])
    return f"{base}{call.slug}/" if base else ""
