"""What a person types into the archive's search box becomes words, never search syntax."""

from __future__ import annotations

from app.archive.search import MAX_WORDS, words


def test_words_are_lower_cased_and_punctuation_is_dropped() -> None:
    assert words('"Refund" OR parcel*:(') == ["refund", "or", "parcel"]
    assert words("Größe 42, bitte!") == ["größe", "42", "bitte"]


def test_nothing_searchable_is_no_words() -> None:
    assert words("  ?! ___ ") == []


def test_at_most_max_words() -> None:
    assert len(words(" ".join(f"w{i}" for i in range(20)))) == MAX_WORDS
