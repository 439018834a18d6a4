"""Shared fixtures: a loopback HTTP server, migrated databases (SQLite and PostgreSQL), configs.

Nothing here reaches beyond 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = FIXTURES / "samples"
POSTGRES_URL = os.environ.get("MONITOR_TEST_POSTGRES_URL")


# --- loopback HTTP server ------------------------------------------------------------


@dataclass
class Response:
    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Handler = Callable[[BaseHTTPRequestHandler], "Response | None"]


class Site:
    """Routes and a request log for the loopback server."""

    def __init__(self) -> None:
        self.routes: dict[str, Response | Handler] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.base = ""

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, body: bytes | str = b"", **kwargs: Any) -> str:
        self.routes[path] = Response(body, **kwargs)
        return self.url(path)

    def count(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.requests if p == path or p.split("?", 1)[0] == path)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    site: Site

    def log_message(self, *args: Any) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802
        site = self.site
        with site.lock:
            site.requests.append(("GET", self.path, dict(self.headers)))
        route = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
        if callable(route):
            route = route(self)
            if route is None:
                return
        if route is None:
            route = Response(b"not found", status=404, headers={"Content-Type": "text/plain"})
        if route.delay:
            threading.Event().wait(route.delay)
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = route.payload()
        self.send_response(route.status)
        headers = {"Content-Type": "text/html; charset=utf-8", **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        headers.setdefault("Content-Length", str(len(body)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(site: Site, host: str = "127.0.0.1") -> tuple[_Server, threading.Thread]:
    handler = type("Handler", (_RequestHandler,), {"site": site})
    server = _Server((host, 0), handler)
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    server, thread = serve(site)
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


# --- databases ----------------------------------------------------------------------


def _postgres_database() -> Iterator[str]:
    import sqlalchemy as sa

    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("MONITOR_TEST_POSTGRES_URL is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip("no PostgreSQL server: set MONITOR_TEST_POSTGRES_URL to run these tests")
    name = f"monitor_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'monitor.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from _postgres_database()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
    else:
        yield from _postgres_database()


def migrated(url: str) -> Any:
    """An engine on ``url`` with the schema at head (the caller disposes of it)."""
    from monitor.store.db import make_engine, upgrade

    eng = make_engine(url)
    upgrade(eng, url)
    return eng


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    """A migrated database: each test that takes it runs on SQLite and on PostgreSQL."""
    eng = migrated(database_url)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Any]:
    """A migrated SQLite database only (``sqlite_url``), for tests about one machine's file."""
    eng = migrated(sqlite_url)
    try:
        yield eng
    finally:
        eng.dispose()


# --- configs --------------------------------------------------------------------------


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a feeds.yaml into tmp_path from a dict and return its path."""

    def write(data: dict[str, Any], name: str = "feeds.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return path

    return write


@pytest.fixture
def samples() -> list[str]:
    """The two real sample articles (plain text)."""
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
