"""How text becomes search terms, how many typos a term may carry, and `<mark>` highlighting.

Both backends take their query terms from `terms()` (tantivy's analyzer, run in Python), so a
query means the same words everywhere; the Elasticsearch mapping uses an analyzer built to
split and fold text the same way (see `search.mappings.WORDS`).
"""

from functools import lru_cache
from html import escape

import tantivy

# Tokens longer than this are dropped by both analyzers (ids, hashes, pasted junk).
MAX_TOKEN_CHARS = 40


@lru_cache(maxsize=1)
def analyzer() -> tantivy.TextAnalyzer:
    """Split on anything that is not a letter or digit, lowercase, fold accents (é → e)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_CHARS))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def terms(text: str) -> list[str]:
    """The distinct search terms of ``text``, in order."""
    return list(dict.fromkeys(analyzer().analyze(text)))


def typo_distance(term: str) -> int:
    """Edits a query term may differ by: none under 4 letters, one for 4–7, two from 8.

    Terms with digits (SKUs, ids, years) must match exactly: 100003 is not a typo of 100004.
    """
    if any(c.isdigit() for c in term):
        return 0
    if len(term) >= 8:
        return 2
    if len(term) >= 4:
        return 1
    return 0


def within_edits(a: str, b: str, limit: int) -> bool:
    """Damerau (optimal string alignment) distance of ``a`` and ``b`` is at most ``limit``."""
    if a == b:
        return True
    if limit == 0 or abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return False
        prev2, prev = prev, row
    return prev[-1] <= limit


class Matcher:
    """Decides whether an indexed token matches one of the query's terms (typos and prefix allowed)."""

    def __init__(self, query_terms: list[str], *, prefix: str | None = None):
        self.query_terms = query_terms
        self.prefix = prefix
        self._seen: dict[str, bool] = {}

    def __call__(self, token: str) -> bool:
        # Pages repeat words (titles, categories): decide each distinct token once.
        found = self._seen.get(token)
        if found is None:
            found = self._seen[token] = bool(self.prefix and token.startswith(self.prefix)) or any(
                within_edits(token, t, typo_distance(t)) for t in self.query_terms
            )
        return found


def highlight(text: str, matcher: Matcher, *, fragment_chars: int | None = None) -> str | None:
    """HTML of ``text`` with matching words in ``<mark>``, or None when nothing matches.

    With ``fragment_chars`` only a window of about that many characters around the first
    match is returned (the rest of a long comment or description is left out).
    """
    spans = [
        (tok.char_offset_from, tok.char_offset_to)
        for tok in analyzer().pre_tokenize(text).tokens
        if matcher(tok.text)
    ]
    if not spans:
        return None
    start, end = 0, len(text)
    if fragment_chars and len(text) > fragment_chars:
        start = max(0, spans[0][0] - fragment_chars // 4)
        end = min(len(text), start + fragment_chars)
        # Widen to word boundaries so no word is cut in half.
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
    out, pos = [], start
    for lo, hi in spans:
        if lo < start or hi > end:
            continue
        out.append(escape(text[pos:lo]))
        out.append(f"<mark>{escape(text[lo:hi])}</mark>")
        pos = hi
    out.append(escape(text[pos:end]))
    html = "".join(out).strip()
    return ("… " if start > 0 else "") + html + (" …" if end < len(text) else "")
