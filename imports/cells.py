"""One cell at a time: a raw value (CSV string or JSON value) to the model field's value.

Each cleaner runs the model field's own ``to_python``, ``validate`` (choices, blank) and validators
(``run_validators``), so a row is refused for exactly what the admin, the API and the services
refuse; dates also accept timestamps with or without a zone (naive ones in ``--timezone``).
Results are memoised per column: a shop's files repeat most values (prices, quantities, emails).
"""

import datetime as dt
import json

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, MaxLengthValidator
from django.db import models

from core.validators import reject_control_characters, reject_control_characters_in_text

TEXT_VALIDATORS = (reject_control_characters, reject_control_characters_in_text)
EMPTY = object()  # an empty cell (or a column the file does not have)
BAD_DATE = "Enter an ISO 8601 date or timestamp (e.g. 1997-01-31, 1997-01-31T10:00:00+01:00)."
BAD_BOOLEAN = "Enter true or false (also 1/0, yes/no)."
BAD_JSON = "Enter a JSON object."
MEMO_LIMIT = 200_000
BOOLEANS = {
    "true": True,
    "1": True,
    "yes": True,
    "t": True,
    "y": True,
    "false": False,
    "0": False,
    "no": False,
    "f": False,
    "n": False,
}


def message_of(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def is_empty(raw) -> bool:
    return raw is None or raw is EMPTY or (isinstance(raw, str) and not raw.strip())


class Cleaner:
    """``cleaner(raw)`` → the value, or ValidationError with the field's message."""

    def __init__(self, field: models.Field, *, timezone: dt.tzinfo = dt.UTC):
        self.field = field
        self.timezone = timezone
        self.memo: dict = {}
        internal = field.get_internal_type()
        self.convert = {
            "DateTimeField": self._moment,
            "BooleanField": self._boolean,
            "JSONField": self._json,
        }.get(internal, self._plain)
        # Columns whose values rarely repeat (ids, timestamps) skip the memo and take a shortcut
        # that accepts only what the full validation accepts, falling back to it otherwise.
        self.fast = None
        emails = [v for v in field.validators if v.__class__ is EmailValidator]
        if (
            isinstance(field, models.EmailField)
            and not field.choices
            and len(emails) == 1
            and all(v is emails[0] or isinstance(v, MaxLengthValidator) for v in field.validators)
            and field.max_length is not None
            and field.max_length <= 320
        ):
            self.fast = self._fast_email
            self.email = emails[0]
            # The compiled pattern's own match (the validator's regex is a lazy proxy: a call through
            # it costs more than the match).
            self.user_match = self.email.user_regex.match
            self.max_length = field.max_length
            self.domains: dict[str, bool] = {}  # domain part → the email validator accepts it
        elif (
            internal == "CharField"
            and not field.choices
            and all(v in TEXT_VALIDATORS or isinstance(v, MaxLengthValidator) for v in field.validators)
        ):
            self.fast = self._fast_text
            self.max_length = field.max_length
        elif internal == "DateTimeField":
            self.fast = self._fast_moment
            self.window = None

    def start_batch(self, earliest: dt.datetime, latest: dt.datetime) -> None:
        """The date window for this batch (``core.dates``: EARLIEST_DATE .. now + clock skew)."""
        self.window = (earliest, latest)

    def __call__(self, raw):
        if self.fast is not None:
            value = self.fast(raw)
            if value is not None:
                return value
        try:
            return self.memo[raw]
        except KeyError:
            pass
        except TypeError:  # unhashable (a JSON object)
            return self._clean(raw)
        value = self._clean(raw)
        if len(self.memo) < MEMO_LIMIT:
            self.memo[raw] = value
        return value

    def _clean(self, raw):
        try:
            value = self.convert(raw)
            self.field.validate(value, None)  # choices, null, blank
            self.field.run_validators(value)
            return value
        except ValidationError as exc:
            return Invalid(message_of(exc))

    def _fast_text(self, raw):
        """Printable text within max_length passes every validator a single-line CharField has
        (no control characters, length) and needs no conversion."""
        if type(raw) is str and raw.isprintable() and len(raw) <= self.max_length and raw == raw.strip():
            return raw
        return None

    def _fast_email(self, raw):
        """What ``EmailValidator`` does, its own regex on the user part and the domain part's
        verdict memoised per domain (a shop's customers share a few): accepts only an email the
        full validation accepts unchanged (printable, no spaces so nothing to strip, within
        max_length); anything else goes the full way."""
        if not (
            type(raw) is str
            and 0 < len(raw) <= self.max_length
            and "@" in raw
            and " " not in raw
            and raw.isprintable()
        ):
            return None
        user, domain = raw.rsplit("@", 1)
        if not self.user_match(user):
            return None
        ok = self.domains.get(domain)
        if ok is None:
            ok = domain in self.email.domain_allowlist or self.email.validate_domain_part(domain)
            if len(self.domains) < MEMO_LIMIT:
                self.domains[domain] = ok
        return raw if ok else None

    def _fast_moment(self, raw):
        if self.window is None or type(raw) is not str:
            return None
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.timezone)
        value = value.astimezone(dt.UTC)
        earliest, latest = self.window
        return value if earliest <= value <= latest else None  # outside: the full path says why

    def _plain(self, raw):
        if isinstance(raw, str):
            raw = raw.strip()
        return self.field.to_python(raw)

    def _moment(self, raw):
        if not isinstance(raw, str):
            raise ValidationError(BAD_DATE)
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            raise ValidationError(BAD_DATE) from None
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.timezone)
        return value.astimezone(dt.UTC)

    def _boolean(self, raw):
        if isinstance(raw, bool):
            return raw
        value = BOOLEANS.get(str(raw).strip().lower())
        if value is None:
            raise ValidationError(BAD_BOOLEAN)
        return value

    def _json(self, raw):
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except json.JSONDecodeError:
                raise ValidationError(BAD_JSON) from None
        if not isinstance(raw, dict):
            raise ValidationError(BAD_JSON)
        return raw


class Invalid:
    """A cell that failed; carries the message (returned, not raised: cheaper, and memoised)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message
