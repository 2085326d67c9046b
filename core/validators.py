"""Text validators the models share."""

import unicodedata

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = "Remove control characters (such as NUL or escape codes)."
# Long text (descriptions, comments) may keep its line breaks and tabs.
TEXT_WHITESPACE = frozenset("\t\n\r")


def _has_control(value: str, allowed: frozenset = frozenset()) -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)


def reject_control_characters(value: str) -> None:
    """Single-line text (names, cities, SKUs…): no control characters at all, tab and newline included."""
    if isinstance(value, str) and _has_control(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")


def reject_control_characters_in_text(value: str) -> None:
    """Long text: tab, newline and carriage return are allowed, other control characters are not."""
    if isinstance(value, str) and _has_control(value, TEXT_WHITESPACE):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")
