"""Text as people read it in a subject line, a notification or a title: on one line,
shortened after a whole word."""

ELLIPSIS = "…"


def shorten(text, limit: int) -> str:
    """``text`` on one line in at most ``limit`` characters: cut after a whole word with
    an ellipsis when it is longer (only a single word longer than the limit is cut
    within the word)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    kept = text[: limit - len(ELLIPSIS)]
    if text[len(kept)] != " " and " " in kept:
        # The cut falls inside a word: drop that word.
        kept = kept[: kept.rindex(" ")]
    return kept.rstrip(" ,;:.-–—") + ELLIPSIS
