"""Deterministic content for the loopback news network: feeds and heavy article pages.

Every page is a function of (feed index, item index) alone, so the server, the
baselines and the extraction benchmark all see the same bytes without storing
thousands of 170 KB pages. Article bodies are a few hundred words drawn from the
project's synthetic corpus and the two real sample articles; each site wraps them
in its own boilerplate (navigation, inline scripts, JSON-LD, related links, footer).
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "fixtures" / "samples"
EPOCH = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
SECTIONS = ("World", "Politics", "Technology", "Business", "Markets", "Security", "Science", "Opinion",
            "Asia", "Europe", "Americas", "Middle East", "Africa", "Energy", "Defence", "Media")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")


@dataclass(frozen=True)
class Story:
    title: str
    summary: str
    paragraphs: tuple[str, ...]
    author: str
    published: datetime


def host_address(index: int) -> str:
    """The loopback address of feed ``index``: 127.0.0.2, 127.0.0.3, ... (skipping .0 and .255)."""
    block, offset = divmod(index + 1, 254)
    return f"127.0.{block}.{offset + 1}"


def feed_etag(feed: int) -> str:
    return f'"feed-{feed}-v1"'


@cache
def _sentences() -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """(corpus sentences, sentences of each real sample article)."""
    from monitor.demo.corpus import build_corpus

    pool: dict[str, None] = {}
    for article in build_corpus(seed=7, days=60):
        for sentence in _SENTENCE.split(article.text):
            pool.setdefault(sentence.strip(), None)
    samples = []
    for path in sorted(SAMPLES.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if len(ln.split()) > 6]
        samples.append(tuple(s for ln in lines for s in _SENTENCE.split(ln)))
    return tuple(pool), tuple(samples)


@cache
def _titles() -> tuple[str, ...]:
    from monitor.demo.corpus import build_corpus

    return tuple(dict.fromkeys(a.title for a in build_corpus(seed=7, days=60)))


def story(feed: int, item: int) -> Story:
    """The article behind item ``item`` of feed ``feed`` (300-700 words, newest item first)."""
    rng = random.Random(f"story:{feed}:{item}")
    corpus, samples = _sentences()
    if rng.random() < 0.08:  # now and then a real article, syndicated in part
        sample = samples[rng.randrange(len(samples))]
        start = rng.randrange(max(1, len(sample) - 25))
        chosen = list(sample[start:start + rng.randint(18, 30)])
    else:
        chosen = rng.sample(corpus, rng.randint(22, 45))
    paragraphs = tuple(" ".join(chosen[i:i + 3]) for i in range(0, len(chosen), 3))
    title = f"{rng.choice(_titles())} ({feed}-{item})"
    published = EPOCH - timedelta(minutes=37 * item + 3 * feed)
    author = f"{rng.choice(('Anna', 'Li', 'Omar', 'Sofia', 'Ivan', 'Priya'))} {rng.choice(('Chen', 'Novak', 'Haddad', 'Silva', 'Petrov', 'Rao'))}"
    return Story(title, paragraphs[0][:300], paragraphs, author, published)


def page_url(feed: int, item: int, port: int) -> str:
    return f"http://{host_address(feed)}:{port}/news/{item}.html"


def feed_xml(feed: int, items: int, port: int) -> bytes:
    """RSS 2.0 with ``items`` entries linking to this feed's own host."""
    base = f"http://{host_address(feed)}:{port}"
    parts = [(f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{_site(feed)}</title>'
             f"<link>{base}/</link><description>Latest news</description>\n")]
    for item in range(items):
        s = story(feed, item)
        link = html.escape(page_url(feed, item, port))
        parts.append(f"<item><title>{html.escape(s.title)}</title><link>{link}</link>"
                     f'<guid isPermaLink="true">{link}</guid><author>{html.escape(s.author)}</author>'
                     f"<pubDate>{format_datetime(s.published)}</pubDate>"
                     f"<description>{html.escape(s.summary)}</description></item>\n")
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def _site(feed: int) -> str:
    return f"{('Meridian', 'Harbor', 'Northern', 'Capital', 'Global', 'Eastern')[feed % 6]} Post {feed}"


def page_html(feed: int, item: int, port: int) -> bytes:
    """The full article page (~170 KB, varying per page)."""
    head, nav, tail = _chrome(feed, port)
    rng = random.Random(f"page:{feed}:{item}")
    s = story(feed, item)
    related = _related(rng, feed, port)
    body = [
        head.replace("{{TITLE}}", html.escape(s.title)).replace("{{LD}}", _json_ld(s, feed, item, port)),
        nav,
        '<main id="content"><div class="layout"><article class="story" itemscope>',
        f'<header><p class="kicker"><a href="/section/{rng.choice(SECTIONS).lower()}">{rng.choice(SECTIONS)}</a></p>',
        f'<h1 class="headline">{html.escape(s.title)}</h1><p class="standfirst">{html.escape(s.summary)}</p>',
        (f'<div class="byline">By <a rel="author" href="/authors/{item}">{html.escape(s.author)}</a> '
        f'<time datetime="{s.published.isoformat()}">{s.published:%d %B %Y %H:%M} UTC</time></div>'),
        _share(), '</header><div class="article-body">',
    ]
    for i, paragraph in enumerate(s.paragraphs):
        body.append(f"<p>{html.escape(paragraph)}</p>")
        if i == 2:
            body.append(_inline_promo(rng, port, feed))
    body.append(f'</div><footer class="article-tags">{_tags(rng)}</footer></article>')
    body.append(related)
    body.append(tail)
    return "".join(body).encode("utf-8")


@cache
def _chrome(feed: int, port: int) -> tuple[str, str, str]:
    """A site's fixed parts: <head> with scripts and styles, navigation, and the page tail."""
    rng = random.Random(f"site:{feed}")
    site = _site(feed)
    head = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{TITLE}} | " + site + "</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta property="og:site_name" content="{site}"><style>{_css(rng)}</style>'
            f"<script>{_script(rng, 46_000)}</script>"
            '<script type="application/ld+json">{{LD}}</script></head><body class="article-page">'
            '<div id="cookie-banner" role="dialog"><p>We use cookies and similar technologies to improve your '
            'experience, measure audiences and show relevant offers.</p><button>Accept all</button>'
            '<button>Manage choices</button></div>')
    nav = _nav(rng)
    tail = (f"<aside class=\"most-read\"><h2>Most read</h2><ol>{_teasers(rng, 10, port, feed)}</ol></aside>"
            f"</div></main>{_footer(rng, site)}<script>{_script(rng, 34_000)}</script>"
            f"<script>window.__STATE__={_state(rng)};</script></body></html>")
    return head, nav, tail


def _words(rng: random.Random, n: int) -> str:
    corpus, _ = _sentences()
    return " ".join(rng.choice(corpus).split()[: max(2, n)])


def _css(rng: random.Random) -> str:
    rules = []
    for i in range(380):
        cls = f".c{rng.randrange(10**6):x}-{i}"
        rules.append(f"{cls}{{margin:{rng.randint(0, 24)}px {rng.randint(0, 24)}px;color:#{rng.randrange(16**6):06x};"
                     f"font-size:{rng.randint(11, 28)}px;display:{rng.choice(('flex', 'block', 'grid'))}}}")
    return "".join(rules)


def _script(rng: random.Random, size: int) -> str:
    parts, total = [], 0
    while total < size:
        name = f"_0x{rng.randrange(16**6):06x}"
        chunk = (f"function {name}(a,b){{var c=[{','.join(str(rng.randrange(10**5)) for _ in range(12))}];"
                 f"for(var i=0;i<c.length;i++){{a=(a*31+c[i])%{rng.randrange(10**6) + 7};}}"
                 f"return b?a.toString(16):'{name}'+a;}};window.{name}={name};")
        parts.append(chunk)
        total += len(chunk)
    return "".join(parts)


def _nav(rng: random.Random) -> str:
    items = []
    for section in SECTIONS:
        links = "".join(f'<li><a href="/{section.lower()}/{rng.randrange(10**5)}">{html.escape(_words(rng, 3))}</a></li>'
                        for _ in range(18))
        items.append(f'<li class="menu-item"><a href="/{section.lower()}">{section}</a><ul class="sub">{links}</ul></li>')
    return f'<header class="site-header"><nav aria-label="Main"><ul class="menu">{"".join(items)}</ul></nav>' \
           '<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>'


def _teasers(rng: random.Random, n: int, port: int, feed: int) -> str:
    base = f"http://{host_address(feed)}:{port}"
    return "".join(
        f'<li class="teaser"><a href="{base}/archive/{rng.randrange(10**6)}.html"><img src="/img/{rng.randrange(10**6)}.jpg" '
        f'alt="" loading="lazy" width="320" height="180"><span class="teaser-title">{html.escape(_words(rng, 9))}</span></a>'
        f'<p class="teaser-dek">{html.escape(_words(rng, 16))}</p><span class="meta">{rng.randint(2, 59)} min ago</span></li>'
        for _ in range(n)
    )


def _related(rng: random.Random, feed: int, port: int) -> str:
    return (f'<section class="related"><h2>Related coverage</h2><ul>{_teasers(rng, rng.randint(42, 60), port, feed)}</ul>'
            f'</section><section class="newsletter"><h2>Get the morning briefing</h2><form action="/subscribe">'
            '<input type="email" name="email"><button>Sign up</button></form></section>')


def _inline_promo(rng: random.Random, port: int, feed: int) -> str:
    return f'<aside class="inline-promo"><h3>Read more</h3><ul>{_teasers(rng, 3, port, feed)}</ul></aside>'


def _share() -> str:
    nets = ("Facebook", "X", "LinkedIn", "WhatsApp", "Telegram", "Email", "Copy link")
    return '<ul class="share">' + "".join(f'<li><a href="#share-{n.lower()}">{n}</a></li>' for n in nets) + "</ul>"


def _tags(rng: random.Random) -> str:
    return "".join(f'<a class="tag" href="/tag/{rng.randrange(999)}">{html.escape(_words(rng, 2))}</a>' for _ in range(8))


def _footer(rng: random.Random, site: str) -> str:
    columns = "".join(
        f'<div class="col"><h4>{section}</h4><ul>'
        + "".join(f'<li><a href="/{section.lower()}/{rng.randrange(10**4)}">{html.escape(_words(rng, 2))}</a></li>' for _ in range(8))
        + "</ul></div>"
        for section in SECTIONS
    )
    return (f'<footer class="site-footer">{columns}<p class="legal">&copy; 2026 {site}. All rights reserved. '
            "Reproduction without written permission is prohibited. Terms of use, privacy policy and cookie "
            "settings apply to all content on this site.</p></footer>")


def _state(rng: random.Random) -> str:
    state = {"ads": [{"slot": f"div-gpt-{i}", "sizes": [[300, 250], [728, 90]], "targeting": {"k": rng.randrange(10**6)}}
                     for i in range(60)],
             "experiments": {f"exp{i}": rng.choice(("a", "b", "control")) for i in range(120)},
             "user": {"segment": rng.randrange(100), "consent": False}}
    return json.dumps(state, separators=(",", ":"))


def _json_ld(s: Story, feed: int, item: int, port: int) -> str:
    data = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": s.title,
        "datePublished": s.published.isoformat(), "dateModified": s.published.isoformat(),
        "author": [{"@type": "Person", "name": s.author}], "description": s.summary,
        "mainEntityOfPage": page_url(feed, item, port),
        "publisher": {"@type": "Organization", "name": _site(feed), "logo": {"@type": "ImageObject", "url": "/logo.png"}},
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def page_digest(feed: int, item: int) -> str:
    """A short fingerprint of a page's article text (to check that pages differ)."""
    return hashlib.sha1(" ".join(story(feed, item).paragraphs).encode()).hexdigest()[:12]
