"""The cleaners' shortcuts accept only what the model field's full validation accepts, unchanged.

A shortcut may decline a value (the full validation then decides); it must never accept one the
full validation refuses or would change. Checked on hand-picked edge cases and on generated text.
"""

import string
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Customer
from imports.cells import Cleaner, Invalid

EMAIL_FIELD = Customer._meta.get_field("email")
EDGE_EMAILS = [
    "ana@example.com", "Ana.Lima@Example.COM", "a+tag@sub.example.co.uk", "x@localhost", "x@LOCALHOST",
    "x@[127.0.0.1]", "x@[::1]", "x@[999.1.1.1]", "x@example", "x@example.", "x@.example.com",
    "x@exa_mple.com", "x@-example.com", "x@example-.com", "x@xn--bcher-kva.ch", "x@bücher.ch",
    "\"quoted user\"@example.com", "\"q\\\"x\"@example.com", "a..b@example.com", ".a@example.com",
    "a.@example.com", "a@b@example.com", "@example.com", "a@", "a", "", " ", " a@example.com",
    "a@example.com ", "a@exam ple.com", "a\t@example.com", "a@example.com\n", "a\u00a0@example.com",
    "ü@example.com", "a@example.c", "a@example.123", "a@123.example.com", "a@" + "b" * 64 + ".com",
    "a@" + "b" * 63 + ".com", "a" * 240 + "@example.com", "a" * 250 + "@ex.com", "a" * 310 + "@ex.com",
    "a@" + ".".join(["b" * 60] * 5) + ".com", "!#$%&'*+/=?^_`{|}~-@example.com", "a@ex\u200bample.com",
]
EMAILISH = st.builds(
    lambda user, domain, tld: f"{user}@{domain}{tld}",
    st.text(alphabet=string.ascii_letters + string.digits + ".+-_\"\\ !#@[]ü\t", max_size=30),
    st.text(alphabet=string.ascii_lowercase + string.digits + ".-_[]:ü ", max_size=30),
    st.sampled_from(["", ".com", ".c", ".co.uk", ".", ".123", "]"]),
)


def full(raw):
    """The full validation alone (the cleaner without its shortcut)."""
    cleaner = Cleaner(EMAIL_FIELD)
    cleaner.fast = None
    return cleaner(raw)


def agree(raw):
    shortcut = Cleaner(EMAIL_FIELD)._fast_email(raw)
    if shortcut is not None:
        value = full(raw)
        assert not isinstance(value, Invalid), (raw, value.message)
        assert value == shortcut == raw


def test_the_email_field_takes_the_shortcut():
    cleaner = Cleaner(EMAIL_FIELD)
    assert cleaner.fast == cleaner._fast_email
    assert cleaner("ana@example.com") == "ana@example.com"


def test_email_shortcut_on_edge_cases():
    for raw in EDGE_EMAILS:
        agree(raw)
    # Plain emails do take it (else it would be pointless), and refusals keep the field's message.
    assert Cleaner(EMAIL_FIELD)._fast_email("Ana.Lima@Example.COM") == "Ana.Lima@Example.COM"
    assert Cleaner(EMAIL_FIELD)("a@b@example.com").message == full("a@b@example.com").message


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.one_of(EMAILISH, st.text(max_size=40), st.sampled_from(EDGE_EMAILS)))
def test_email_shortcut_on_generated_text(raw):
    agree(raw)


def test_one_domain_verdict_memoised_for_many_emails():
    cleaner = Cleaner(EMAIL_FIELD)
    assert cleaner("a@example.com") == "a@example.com"
    assert isinstance(cleaner("b@exa_mple.com"), Invalid)
    assert cleaner.domains == {"example.com": True, "exa_mple.com": False}


def test_printable_text_has_no_whitespace_but_the_space():
    """engine.FastSales skips stripping external ids when their printable text has no " "."""
    assert [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace() and c.isprintable()] == [" "]
