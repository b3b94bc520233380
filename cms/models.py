from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import BodyBlock

DEFAULT_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"


class PublicCachedPage(Page):
    """Served from the anonymous full-page cache (core.public_cache) until content changes."""

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        response.public_cache = True
        return response


class HomePage(PublicCachedPage):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cms.StandardPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")


class StandardPage(PublicCachedPage):
    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cms.StandardPage"]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


@register_setting(icon="cog")
class SiteSettings(BaseSiteSetting):
    quick_exit_url = models.URLField(
        _("quick exit destination"),
        default=DEFAULT_QUICK_EXIT_URL,
        help_text=_(
            "The neutral site that 'Leave this site' opens. Choose one that looks ordinary "
            "on a shared screen."
        ),
    )
    helpline_text = models.TextField(
        _("helpline text"),
        max_length=500,
        default=(
            "Modern Slavery & Exploitation Helpline: 08000 121 700, free and confidential, "
            "24 hours a day. In an emergency, call 999."
        ),
        help_text=_("Shown in the footer of every page."),
    )
    contact_email = models.EmailField(_("contact address"), default="hello@tandem.example")
    accessibility_page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    safeguarding_page = models.ForeignKey(
        Page, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [
        FieldPanel("quick_exit_url"),
        MultiFieldPanel(
            [FieldPanel("helpline_text"), FieldPanel("contact_email")], heading=_("Support")
        ),
        MultiFieldPanel(
            [FieldPanel("accessibility_page"), FieldPanel("safeguarding_page")],
            heading=_("Footer links"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")
