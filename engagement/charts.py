"""Small charts drawn on the server as inline SVG, so they need no JavaScript and print well.

Each chart is an image to assistive technology (`role="img"`) with its text alternative in
`aria-label` and a `<title>`; the page also shows the figures it draws as text."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

WIDTH = 160
HEIGHT = 28
PAD = 6  # room for a dot at either end of the scale
BASELINE = 18
DOT_RADIUS = 4


def _x(value: float, low: int, high: int) -> float:
    return PAD + (value - low) / (high - low) * (WIDTH - 2 * PAD)


def spread_text(totals: list[float], mean: float) -> str:
    """The chart in words: "Scores 2.1 to 4.6, mean 3.4"."""
    if len(totals) == 1:
        return _("One score: %(score).1f") % {"score": totals[0]}
    return _("Scores %(low).1f to %(high).1f, mean %(mean).1f") % {
        "low": min(totals),
        "high": max(totals),
        "mean": mean,
    }


def spread_svg(totals: list[float], *, mean: float, scale_min: int, scale_max: int) -> SafeString:
    """The review totals of one proposal as dots on the round's scale, with a bar at the
    mean. Totals outside the scale are drawn at its ends (they cannot occur in a round)."""
    if not totals:
        return SafeString("")
    if scale_max <= scale_min:
        raise ValueError("the scale needs its highest point above its lowest")

    def x(value: float) -> str:
        return f"{_x(min(max(value, scale_min), scale_max), scale_min, scale_max):.1f}"

    text = spread_text(totals, mean)
    ticks = format_html_join(
        "",
        '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="currentColor" stroke-opacity="0.5"/>',
        (
            (x(point), BASELINE - 3, x(point), BASELINE + 3)
            for point in range(scale_min, scale_max + 1)
        ),
    )
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" fill="currentColor" fill-opacity="0.6"/>',
        ((x(total), BASELINE, DOT_RADIUS) for total in sorted(totals)),
    )
    return format_html(
        '<svg class="tandem-spread" role="img" aria-label="{text}" width="{w}" height="{h}" '
        'viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg" focusable="false">'
        "<title>{text}</title>"
        '<line x1="{left}" y1="{y}" x2="{right}" y2="{y}" stroke="currentColor"/>'
        "{ticks}{dots}"
        '<line x1="{mx}" y1="2" x2="{mx}" y2="{h}" stroke="currentColor" stroke-width="2"/>'
        "</svg>",
        text=text,
        w=WIDTH,
        h=HEIGHT,
        left=PAD,
        right=WIDTH - PAD,
        y=BASELINE,
        ticks=ticks,
        dots=dots,
        mx=x(mean),
    )
