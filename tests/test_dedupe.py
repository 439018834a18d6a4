"""Canonical URLs and content fingerprints."""

from __future__ import annotations

import pytest

from monitor.dedupe import text as fp
from monitor.dedupe.urls import canonical_url, resolve_link
from tests.feedkit import sample_texts


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("https://Example.org/news/a?utm_source=rss&utm_medium=feed", "https://example.org/news/a"),
        ("https://example.org:443/news/a/", "https://example.org/news/a"),
        ("http://example.org:80/news/a#comments", "http://example.org/news/a"),
        ("https://www.example.org/news/a?fbclid=XYZ&gclid=1", "https://example.org/news/a"),
        ("https://example.org/news/a?id=7&utm_campaign=x&page=2", "https://example.org/news/a?id=7&page=2"),
        ("https://example.org/news/a?page=2&id=7", "https://example.org/news/a?id=7&page=2"),
        ("https://example.org:8443/news//a", "https://example.org:8443/news/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/%7euser/a", "https://example.org/~user/a"),
        ("https://example.org/%c3%a4/%2f", "https://example.org/%C3%A4/%2F"),
        ("https://example.org/ä", "https://example.org/%C3%A4"),
        ("https://xn--bcher-kva.example/a", "https://bücher.example/a"),
        ("https://BÜCHER.example/a", "https://bücher.example/a"),
        ("https://example.org/a/../b/./c", "https://example.org/b/c"),
        ("https://example.org/news?cid=7", "https://example.org/news?cid=7"),
        ("https://user:pw@example.org/a", "https://example.org/a"),
        ("http://example.org:99999/a", "http://example.org:99999/a"),
        ("http://[2001:db8::1]:8080/a/", "http://[2001:db8::1]:8080/a"),
    ],
)
def test_canonical_url(variant, canonical):
    assert canonical_url(variant) == canonical


def test_canonical_is_idempotent():
    url = "https://WWW.Example.org:443/a/b/?utm_term=1&q=x#frag"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("/news/1.html", "https://feeds.example.org/news/1.html"),
        ("story.html", "https://feeds.example.org/rss/story.html"),
        ("  https://other.org/x  ", "https://other.org/x"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("mailto:a@b.c", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_resolve_link(link, expected):
    assert resolve_link(link, "https://feeds.example.org/rss/feed.xml") == expected


def test_content_hash_ignores_case_spacing_and_punctuation():
    assert fp.content_hash("Sberbank, DeepSeek!  AI") == fp.content_hash("sberbank deepseek ai")
    assert fp.content_hash("Sberbank DeepSeek AI") != fp.content_hash("Sberbank DeepSeek ML")


def test_minhash_estimates_similarity():
    a, b = sample_texts()
    edited = a.replace("confirmed the partnership", "has confirmed this partnership") + " Additional reporting by staff."
    sig_a, sig_edit, sig_b = fp.minhash(a), fp.minhash(edited), fp.minhash(b)
    assert fp.similarity(sig_a, fp.minhash(a)) == 1.0
    assert fp.similarity(sig_a, sig_edit) >= 0.8
    assert fp.similarity(sig_a, sig_b) < 0.2
    assert set(fp.band_keys(sig_a)) & set(fp.band_keys(sig_edit)), "near copies share an LSH band"
    assert not set(fp.band_keys(sig_a)) & set(fp.band_keys(sig_b))


def test_signature_round_trips_through_bytes():
    sig = fp.minhash(sample_texts()[0])
    assert (fp.from_bytes(fp.to_bytes(sig)) == sig).all()
    assert all(-(2**63) <= k < 2**63 for k in fp.band_keys(sig))


def test_original_of_prefers_the_exact_copys_first_original_then_the_closest_near_copy() -> None:
    from monitor.dedupe.text import minhash, original_of, to_bytes

    base = "Sberbank will work with Chinese researchers on artificial intelligence models, its deputy chief said. " * 3
    mine = to_bytes(minhash(base + "Reuters reported the interview on Tuesday."))
    near = to_bytes(minhash(base + "Reuters reported the interview on Monday."))
    other = to_bytes(minhash("A different event entirely: a football final in London ended in penalties. " * 3))
    assert original_of((7, 3), [(9, near)], mine, 0.5) == (3, "exact")  # a copy of a copy points at the first
    assert original_of((7, None), [], mine, 0.5) == (7, "exact")
    assert original_of(None, [(9, near), (4, near), (5, other), (6, None)], mine, 0.5) == (4, "near")  # earliest tie
    assert original_of(None, [(5, other)], mine, 0.5) == (None, None)
    assert original_of(None, [(9, near)], mine, 1.01) == (None, None)
