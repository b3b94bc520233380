from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


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
