"""Terms, typo distances and highlighting shared by both backends."""

import pytest

from search import text


def test_terms_split_fold_lowercase_and_dedupe():
    assert text.terms("Zoë's Café-Bar, CAFÉ x@y.com") == ["zoe", "s", "cafe", "bar", "x", "y", "com"]
    assert text.terms('"()[]{}*:~^\\') == []
    assert text.terms("a" * 40 + " ok") == ["ok"]


@pytest.mark.parametrize(
    "term, distance",
    [("bar", 0), ("crema", 1), ("headset", 1), ("espresso", 2), ("sku100003", 0), ("2025", 0)],
)
def test_typo_distance(term, distance):
    assert text.typo_distance(term) == distance


@pytest.mark.parametrize(
    "a, b, limit, expected",
    [
        ("crema", "crmea", 1, True),  # transposition is one edit
        ("crema", "crame", 1, False),
        ("cappuccino", "capucino", 2, True),
        ("cappuccino", "capuchino", 1, False),
        ("abc", "abc", 0, True),
        ("abc", "abd", 0, False),
    ],
)
def test_within_edits(a, b, limit, expected):
    assert text.within_edits(a, b, limit) is expected


def test_highlight_escapes_and_marks():
    html = text.highlight("Tom & <b>Jerry</b> jery", text.Matcher(["jerry"]))
    assert html == "Tom &amp; &lt;b&gt;<mark>Jerry</mark>&lt;/b&gt; <mark>jery</mark>"
    assert text.highlight("nothing here", text.Matcher(["jerry"])) is None


def test_highlight_cuts_long_text_around_the_match():
    long = " ".join(["filler"] * 100) + " the espresso part " + " ".join(["tail"] * 100)
    html = text.highlight(long, text.Matcher(["espresso"]), fragment_chars=80)
    assert "<mark>espresso</mark>" in html
    assert html.startswith("… ") and html.endswith(" …") and len(html) < 200


def test_prefix_matcher():
    assert (
        text.highlight("Noise Cancelling", text.Matcher(["noise"], prefix="canc"))
        == "<mark>Noise</mark> <mark>Cancelling</mark>"
    )
