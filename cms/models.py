from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page

from cms.blocks import BodyBlock
from engagement.selectors.calls import call_public_detail, calls_public_grouped

DEFAULT_QUICK_EXIT_URL = "https://www.bbc.co.uk/weather"
DEFAULT_HELPLINE_TEXT = (
    "Modern Slavery & Exploitation Helpline: 08000 121 700, free and confidential, "
    "24 hours a day. In an emergency, call 999."
)
DEFAULT_HELPLINE_TEXT_CY = (
    "Llinell Gymorth Caethwasiaeth Fodern a Chamfanteisio: 08000 121 700, am ddim ac yn "
    "gyfrinachol, 24 awr y dydd. Mewn argyfwng, ffoniwch 999."
)


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
    subpage_types = ["cms.StandardPage", "cms.FundingCallIndexPage"]
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


class FundingCallIndexPage(RoutablePageMixin, PublicCachedPage):
    """/calls/: the funding calls, and a page per call at /calls/<slug>/. Editors write the
    introduction here; each call's content comes from its FundingCall and scoring round (the
    one source of truth), so nothing about a call is copied into the page. cms.signals clears
    the page cache when any of it changes."""

    intro = models.TextField(_("introduction"), max_length=600, blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = []
    parent_page_types = ["cms.HomePage"]
    # One per language tree (the Welsh one is the English one's translation).
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("funding calls page")

    def serve(self, request, *args, **kwargs):
        # RoutablePageMixin serves a route without PublicCachedPage.serve: mark it here.
        response = super().serve(request, *args, **kwargs)
        response.public_cache = True
        return response

    @path("")
    def call_list(self, request):
        return self.render(
            request,
            context_overrides={"calls": calls_public_grouped()},
            template="cms/funding_call_index_page.html",
        )

    @path("<slug:slug>/")
    def call_detail(self, request, slug):
        detail = call_public_detail(slug)
        if detail is None:
            raise Http404
        return self.render(request, context_overrides=detail, template="cms/funding_call_page.html")

    def call_url(self, call, request=None) -> str:
        return self.get_url(request) + self.reverse_subpage("call_detail", args=[call.slug])


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
        default=DEFAULT_HELPLINE_TEXT,
        help_text=_("Shown in the footer of every page."),
    )
    # One text per language, edited together so the numbers stay the same in both.
    helpline_text_cy = models.TextField(
        _("helpline text in Welsh"),
        max_length=500,
        blank=True,
        default=DEFAULT_HELPLINE_TEXT_CY,
        help_text=_(
            "Shown in the footer of Welsh pages. Keep it in step with the English text. "
            "Left blank, Welsh pages show the English text."
        ),
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
            [
                FieldPanel("helpline_text"),
                FieldPanel("helpline_text_cy"),
                FieldPanel("contact_email"),
            ],
            heading=_("Support"),
        ),
        MultiFieldPanel(
            [FieldPanel("accessibility_page"), FieldPanel("safeguarding_page")],
            heading=_("Footer links"),
        ),
    ]

    class Meta:
        verbose_name = _("site settings")
