"""`monitor demo`: the whole monitor on a bundled corpus, offline, in one directory.

Serves the sample corpus (:mod:`monitor.demo.corpus`) as eight outlets' RSS
feeds and article pages from a loopback server, writes a feeds.yaml pointing at
it, runs the full pipeline with the database, digest and site under the output
directory, stops the server and reports where to look. Nothing is downloaded:
the embedding model ships with its package.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from monitor.errors import ConfigError

log = logging.getLogger(__name__)

MARKER = ".monitor-demo"
OURS = ("feeds.yaml", "data", "site", MARKER)
KEEP = ("numba_cache",)  # compiled UMAP/pynndescent code: valid across demos, slow to rebuild


@dataclass(frozen=True)
class DemoOutcome:
    out: Path
    config_path: Path
    database: Path
    site: Path
    digest: Path | None
    result: Any  # monitor.pipeline.RunResult
    served: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return int(self.result.exit_code)

    def lines(self) -> list[str]:
        lines = [f"{s.name:<9} {s.status:<7} {s.seconds:6.1f}s{'  ' + s.error if s.error else ''}"
                 for s in self.result.stages]
        lines.append(f"demo {self.result.status}: {self.served} sample articles, whole pipeline in {self.seconds:.0f}s")
        index = self.site / "index.html"
        lines.append(f"site:     {index if index.exists() else '(not built)'}")
        lines.append(f"digest:   {self.digest or '(not rendered)'}")
        lines.append(f"database: {self.database}")
        lines.append(f"config:   {self.config_path} (its feeds pointed at the demo server, now stopped)")
        return lines


def prepare(out: Path) -> None:
    """Create ``out``, or clear a previous demo from it; never touch a directory that is not ours.

    Compiled-code caches under data/ survive, so a second demo starts faster.
    """
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise ConfigError(f"--out {out}: directory is not empty and holds no previous demo; choose another")
    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    doomed = [out / name for name in OURS if name != "data"]
    doomed += [p for p in data.iterdir() if p.name not in KEEP] if data.is_dir() else []
    for path in doomed:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    (out / MARKER).write_text("created by `monitor demo`; the demo clears this directory's feeds.yaml, data/ "
                              "and site/ when run again\n", encoding="utf-8")


def demo_config(out: Path, base_url: str, outlets: list[str]) -> dict[str, Any]:
    """feeds.yaml for the demo: every outlet's feed, everything written under ``out``."""
    from monitor.demo.corpus import OUTLET_PROFILES
    from monitor.demo.server import feed_path

    def feed(outlet: str) -> dict[str, Any]:
        bloc, ownership, region = OUTLET_PROFILES.get(outlet, (None, None, None))
        profile = {"bloc": bloc, "ownership": ownership, "region": region} if bloc else {}
        return {"name": outlet, "url": base_url + feed_path(outlet), "tags": ["demo"], "language": "en", **profile}

    return {
        "feeds": [feed(o) for o in outlets],
        "data_dir": str(out / "data"),
        "crawl": {"host_delay": 0, "per_host": 8, "concurrency": 16},
        "digest": {"time": "00:00", "timezone": "UTC", "send_empty": True},
        "email": {"to": []},
        "alerts": {"email": False},
        "site": {"out": str(out / "site"), "title": "Tech-policy monitor (demo)"},
    }


def demo_corpus(now: datetime, seed: int, days: int) -> list[Any]:
    """The corpus up to the end of yesterday (UTC), placed so that its planted spike is yesterday.

    The digest due today then covers the spike day, and the trend stage sees it as fresh.
    """
    from monitor.demo.corpus import build_corpus, planted_spike

    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = (midnight - timedelta(days=1)).date()
    end = yesterday + (yesterday - planted_spike(days, yesterday)[1])
    extra = (end - yesterday).days
    return [a for a in build_corpus(seed=seed, days=days + extra, end=end) if a.published < midnight]


def run_demo(out: Path, now: datetime, seed: int = 7, days: int = 30) -> DemoOutcome:
    from monitor.config import load_config
    from monitor.demo.server import DemoServer, build_routes

    started = time.perf_counter()
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):  # the demo never downloads, even by mistake
        os.environ.setdefault(name, "1")
    out = out.resolve()
    prepare(out)
    corpus = demo_corpus(now, seed, days)
    outlets = sorted({a.outlet for a in corpus})
    with DemoServer() as server:
        server.publish(build_routes(corpus, server.base_url))
        log.info("demo: serving %d articles from %d outlets at %s", len(corpus), len(outlets), server.base_url)
        config_path = out / "feeds.yaml"
        config_path.write_text(yaml.safe_dump(demo_config(out, server.base_url, outlets), sort_keys=False),
                               encoding="utf-8")
        result, database, digest = _run(out, load_config(config_path), now)
    site = Path(load_config(config_path).site.out)
    return DemoOutcome(out, config_path, database, site, digest, result, len(corpus),
                       time.perf_counter() - started)


def _run(out: Path, config: Any, now: datetime) -> tuple[Any, Path, Path | None]:
    from monitor.pipeline import Plain, run_once
    from monitor.settings import Settings
    from monitor.store.db import open_database

    database = out / "data" / "monitor.db"
    settings = Settings(database_url=f"sqlite:///{database}")
    engine = open_database(settings)
    try:
        result = run_once(Plain(engine, config, settings), now, command="demo")
        return result, database, _latest_digest(engine)
    finally:
        engine.dispose()


def _latest_digest(engine: Any) -> Path | None:
    from monitor.store.outputs import latest_digest

    digest = latest_digest(engine)
    return Path(digest.html_path) if digest else None
