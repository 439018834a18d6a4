"""The demo's news sites: the bundled corpus as RSS feeds and article pages on a loopback server.

:func:`build_routes` turns corpus articles into ``path -> (content type, body)``:
one RSS 2.0 feed per outlet at ``/feeds/<outlet>.xml``, one HTML page per
article at its ``url_path`` and a permissive ``/robots.txt``. :class:`DemoServer`
serves them from ``127.0.0.1`` on a free port in a background thread. Every
piece of text is escaped, as a real feed's would need to be.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from xml.sax.saxutils import escape as xml_escape

RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
Routes = Mapping[str, tuple[str, bytes]]


class Article(Protocol):
    """The fields of monitor.demo.corpus.CorpusArticle the server reads."""

    id: str
    outlet: str
    title: str
    text: str
    url_path: str
    published: Any


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def feed_path(outlet: str) -> str:
    return f"/feeds/{slug(outlet)}.xml"


def build_routes(articles: Sequence[Article], base_url: str) -> dict[str, tuple[str, bytes]]:
    routes: dict[str, tuple[str, bytes]] = {"/robots.txt": ("text/plain", b"User-agent: *\nAllow: /\n")}
    for outlet, items in _by_outlet(articles).items():
        routes[feed_path(outlet)] = (RSS, rss_feed(outlet, items, base_url).encode("utf-8"))
    for article in articles:
        routes[article.url_path] = (HTML, article_page(article).encode("utf-8"))
    return routes


def _by_outlet(articles: Iterable[Article]) -> dict[str, list[Article]]:
    out: dict[str, list[Article]] = {}
    for article in articles:
        out.setdefault(article.outlet, []).append(article)
    return out


def rss_feed(outlet: str, articles: Sequence[Article], base_url: str) -> str:
    """An RSS 2.0 channel, newest item first, with a one-sentence description per item."""
    items = "".join(_rss_item(a, base_url) for a in sorted(articles, key=lambda a: a.published, reverse=True))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{xml_escape(outlet)}</title><link>{xml_escape(base_url)}/</link>"
        f"<description>{xml_escape(outlet)}: technology policy and geopolitics</description>"
        f"{items}</channel></rss>\n"
    )


def _rss_item(article: Article, base_url: str) -> str:
    link = xml_escape(base_url + article.url_path)
    return (
        f"<item><title>{xml_escape(article.title)}</title><link>{link}</link>"
        f'<guid isPermaLink="true">{link}</guid>'
        f"<description>{xml_escape(_first_sentence(article.text))}</description>"
        f"<pubDate>{format_datetime(article.published)}</pubDate></item>"
    )


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip(), re.S)
    return match.group(1) if match else text[:200]


def _paragraphs(text: str, per: int = 3) -> list[str]:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) > 1:
        return lines
    sentences = re.split(r"(?<=[.!?\"”])\s+(?=[A-Z“\"])", text.strip())
    return [" ".join(sentences[i:i + per]) for i in range(0, len(sentences), per)]


def article_page(article: Article) -> str:
    """A page shaped like a news site's: navigation, the article with a byline, a footer."""
    body = "".join(f"<p>{escape(p)}</p>" for p in _paragraphs(article.text))
    when = article.published.isoformat()
    outlet, title = escape(article.outlet), escape(article.title)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title} | {outlet}</title>"
        f'<meta property="og:site_name" content="{outlet}">'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="{escape(when)}">'
        "</head><body><header><nav><a href=\"/\">Home</a> <a href=\"/policy\">Policy</a> "
        "<a href=\"/tech\">Technology</a></nav></header>"
        f"<main><article><h1>{title}</h1><p class=\"byline\">By {outlet} staff · "
        f"<time datetime=\"{escape(when)}\">{escape(article.published.strftime('%d %B %Y'))}</time></p>"
        f"{body}</article></main>"
        f"<footer><p>© {outlet}. Sample content for the tech-policy monitor demo.</p></footer></body></html>"
    )


class _Handler(BaseHTTPRequestHandler):
    routes: Routes = {}
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        content_type, body = self.routes.get(self.path.split("?", 1)[0], ("text/plain", b""))
        status = 200 if self.path.split("?", 1)[0] in self.routes else 404
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class DemoServer:
    """A loopback HTTP server in a thread; use as a context manager (stopped on exit)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[str, bytes]] = {}
        handler = type("DemoHandler", (_Handler,), {"routes": self.routes})
        self._server = _Server(("127.0.0.1", 0), handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="demo-server", daemon=True
        )

    def publish(self, routes: Routes) -> None:
        self.routes.update(routes)

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(5)
        self._server.server_close()
