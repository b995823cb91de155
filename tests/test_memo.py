"""One recipe for cache keys (``survey_core.model.memo``)."""

from __future__ import annotations

from survey_core.model.memo import Digest, key
from survey_core.model.text import edit_distance


def test_key_is_the_digest_of_its_parts_piece_by_piece():
    assert key("a", b"b", 3, None) == Digest().add("a").add(b"b", 3).add(None).hex()
    assert key("a", "b") == key("a", "b")


def test_keys_of_different_parts_differ():
    # a join with a separator would make these equal
    assert key("a\0b", "c") != key("a", "b\0c")
    assert key("ab", "c") != key("a", "bc")
    assert key(b"1") != key(1) != key("1")
    assert key(("a", 1)) != key(["a", 1])
    assert len({key(*parts) for parts in [(), ("",), ("", ""), (b"",)]}) == 4


def test_edit_distance_with_a_limit():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("kitten", "sitting", limit=2) == 3  # above the limit: limit + 1
    assert edit_distance("a long title", "a long title") == 0
    assert edit_distance("abcdef", "x", limit=1) == 2
