from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()

SYMBOLS = {"GBP": "£"}
# What an empty amount shows: a dash, never "None".
NOTHING = "\u2013"


def money_display(amount: Decimal | None, currency: str = "GBP") -> str:
    """£1,234.50: pence always shown, thousands grouped, Decimal throughout (never float)."""
    if amount is None:
        return NOTHING
    pence = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if pence < 0 else ""
    symbol = SYMBOLS.get(currency, f"{currency} ")
    return f"{sign}{symbol}{abs(pence):,}"


@register.filter
def money(amount, currency="GBP"):
    return money_display(amount, currency or "GBP")
