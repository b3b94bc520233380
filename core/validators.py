import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Zero-width non-joiner and joiner: Persian and Indic names need them between letters.
_JOINERS = frozenset("\u200c\u200d")


def _is_letter(char: str) -> bool:
    # A letter's combining marks (an Indic virama, say) count as part of it: a joiner often
    # follows one.
    return unicodedata.category(char)[0] in {"L", "M"}


def validate_name_characters(value: str) -> None:
    """Refuse invisible control and formatting characters in a name (category Cc or Cf):
    a right-to-left override (U+202E) or a zero-width space would let one name pass for
    another in staff lists. A joiner between two letters is how some scripts are written, so
    it stays."""
    for index, char in enumerate(value):
        if unicodedata.category(char) not in {"Cc", "Cf"}:
            continue
        between_letters = 0 < index < len(value) - 1 and (
            _is_letter(value[index - 1]) and _is_letter(value[index + 1])
        )
        if char in _JOINERS and between_letters:
            continue
        raise ValidationError(
            _(
                "Remove the hidden formatting characters from this name. They often come "
                "from copying and pasting: try typing the name instead."
            ),
            code="hidden_characters",
        )
