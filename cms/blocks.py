from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from payments.selectors.public import rates_published


class ContentNoteBlock(blocks.StructBlock):
    """Tells readers what sensitive material follows, so they can choose whether to read on."""

    text = blocks.TextBlock(
        label=_("Content note"),
        help_text=_("For example: 'This section describes forced labour and threats of violence.'"),
    )

    class Meta:
        icon = "warning"
        label = _("Content note")
        template = "cms/blocks/content_note.html"


class CalloutBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "pick"
        label = _("Callout")
        template = "cms/blocks/callout.html"


class RatesBlock(blocks.StaticBlock):
    """The rates in force and what changes when, read from the rate cards each time the page
    is rendered (saving a rate card clears the page cache: cms.signals)."""

    class Meta:
        icon = "table"
        label = _("Rates in force")
        admin_text = _("Shows the rates of the rate card in force, and any changes to come.")
        template = "cms/blocks/rates.html"

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context.update(rates_published(today=timezone.localdate()))
        return context


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        max_length=120, template="cms/blocks/heading.html", icon="title", label=_("Heading")
    )
    paragraph = blocks.RichTextBlock(
        features=["bold", "italic", "link", "document-link", "ul", "ol", "h3"],
        label=_("Paragraph"),
    )
    content_note = ContentNoteBlock()
    callout = CalloutBlock()
    image = ImageBlock(label=_("Image"))
    rates = RatesBlock()
