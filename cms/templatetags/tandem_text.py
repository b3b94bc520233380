import re

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

# UK numbers as people write them (08000 121 700, 116 123), and the emergency numbers.
_PHONE = re.compile(r"(?<![\d+])(0\d{2,4}(?: ?\d){6,8}|116 ?\d{3}|999|111|112)(?![\d])")


@register.filter(needs_autoescape=True)
def phone_links(text, autoescape=True):
    """Plain text with each phone number made a `tel:` link, so one tap calls it."""
    escaped = conditional_escape(text) if autoescape else str(text)

    def link(match):
        number = match.group(1)
        return format_html('<a href="tel:{}">{}</a>', number.replace(" ", ""), number)

    return mark_safe(_PHONE.sub(lambda m: str(link(m)), escaped))  # noqa: S308 - escaped above
