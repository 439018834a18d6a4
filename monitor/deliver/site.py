"""Build the static site into a folder, rewriting only the files whose content changed.

Shared pages (index, topics, alerts, archives, feeds, JSON) are rendered on
every build and written only if their bytes differ. Story pages, the bulk of
the site, are rendered only when their story's stamp (size, outlets, last
seen, title, topic) or the templates changed since the last build, as
recorded in ``.manifest.json``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.deliver.digests import site_dir, site_meta
from monitor.deliver.files import (
    read_manifest,
    remove_leftover_temps,
    remove_stale,
    write_if_changed,
    write_manifest,
)
from monitor.render import site as pages
from monitor.render.named import named_files
from monitor.render.env import templates_digest
from monitor.render.coverage import GAP_DAYS, render_gaps_page
from monitor.render.records import SiteData, TopicTrend
from monitor.render.weekly import Weekly, week_starts, weekly_views
from monitor.store import coverage as coverage_db
from monitor.store import alerts as alert_db
from monitor.store import named, outputs
from monitor.store.shared import chunks, midnight
from monitor.deliver.coverage import one_sided, story_coverage
from monitor.entities.registry import messengers
from monitor.trends.coverage import CoverageRule, configured_blocs, rule
from monitor.views.shared import story_page, unmuted
from monitor.views.site import RECENT_DAYS, build_topics, judged

log = logging.getLogger(__name__)

HISTORY_DAYS = 90
STORY_CHUNK = 2000  # story pages read (articles, bloc timelines) at a time
PARALLEL_MIN = 2000  # story pages to render before extra processes pay for their start-up


@dataclass
class _Writer:
    root: Path
    old: dict[str, str]
    salt: str
    new: dict[str, str] = field(default_factory=dict)
    written: int = 0
    unchanged: int = 0

    def page(self, rel: str, text: str, stamp: str | None = None) -> None:
        data = text.encode("utf-8")
        if write_if_changed(self.root / rel, data):
            self.written += 1
        else:
            self.unchanged += 1
        self.new[rel] = stamp if stamp is not None else hashlib.sha256(data).hexdigest()[:16]

    def fresh(self, rel: str, stamp: str, present: set[str]) -> bool:
        """Rendered from this stamp last time and still on disk (``present``: the folder's file names)."""
        return self.old.get(rel) == stamp and rel.rpartition("/")[2] in present


def site_data(engine: Engine, config: Config, now: datetime) -> SiteData:
    zone = ZoneInfo(config.digest.timezone)
    today = now.astimezone(zone).date()
    through = outputs.last_counted_day(engine, today) or today
    days = tuple(through - timedelta(days=i) for i in range(HISTORY_DAYS - 1, -1, -1))
    totals = outputs.load_totals(engine, days)
    by_day = dict(zip(days, totals, strict=True))
    topics = tuple(_topics(engine, config, days, by_day))
    end = min(now, datetime.combine(through + timedelta(days=1), datetime.min.time(), zone))
    names = {t.id: t.name for t in topics}
    day_stories = outputs.load_day_stories(engine, end - timedelta(hours=24), end,
                                           repeats=config.dedupe.site_repeats)
    topics = _with_entities(engine, topics, through)
    return SiteData(
        meta=site_meta(config), through=through, days=days, topics=topics,
        alerts=unmuted(alert_db.latest_alerts(engine), config),
        digests=tuple(outputs.load_digests(engine)), totals=tuple(totals), judged=judged(config, by_day, through),
        top_stories=tuple(story_page(s, names) for s in day_stories),
        gaps=tuple(one_sided(engine, config, end - timedelta(days=GAP_DAYS), end)),
        entities=tuple(named.named_pages(engine, named.ENTITY, days)),
        instruments=tuple(named.named_pages(engine, "instrument", days)), media=messengers(config),
    )


def _topics(engine: Engine, config: Config, days: tuple[date, ...], totals: dict[date, int]) -> list[TopicTrend]:
    since = days[-1] - timedelta(days=RECENT_DAYS)
    first = days[0] - timedelta(days=config.trends.baseline_days)
    rows = outputs.site_rows(engine, first, days[-1], since, titles=bool(config.watchlist))
    return build_topics(rows, config, days, totals=totals)


def _with_entities(engine: Engine, topics: tuple[TopicTrend, ...], through: date) -> tuple[TopicTrend, ...]:
    """Each topic with the entities its articles of the last 30 days name most."""
    since = midnight(through - timedelta(days=29))
    found = named.topic_named(engine, since)
    return tuple(replace(t, entities=tuple(found.get(t.id, ()))) for t in topics)


def _salt(config: Config) -> str:
    blocs = [(f.name, f.bloc, f.region, f.ownership) for f in config.feeds]  # story pages show them
    settings = (f"{config.site.model_dump_json()}|{config.digest.timezone}|{templates_digest()}|{blocs}|"
                f"{config.coverage.model_dump_json()}")
    return hashlib.sha256(settings.encode()).hexdigest()[:12]


def build_site(
    engine: Engine, config: Config, now: datetime, out: str | Path | None = None, workers: int | None = None
) -> dict[str, Any]:
    """Build or refresh the static site; returns counts of pages written, unchanged and skipped.

    ``workers``: processes rendering story pages (default: one per CPU when
    there are more than PARALLEL_MIN pages to render, else none).
    """
    started = time.perf_counter()
    root = site_dir(config, out)
    leftovers = remove_leftover_temps(root)
    data = site_data(engine, config, now)
    writer = _Writer(root, read_manifest(root), _salt(config))
    _shared_pages(writer, data, site_weekly(engine, data))
    rendered, skipped, used = _story_pages(writer, engine, config, data, workers)
    copied = _copy_digests(root, data)
    removed = remove_stale(root, writer.old, writer.new)
    if writer.new != writer.old or not writer.old:  # the same stamps make the same file: no need to encode it
        write_manifest(root, writer.new)
    summary = {
        "out": str(root), "pages": len(writer.new), "written": writer.written, "unchanged": writer.unchanged,
        "stories_rendered": rendered, "stories_skipped": skipped, "workers": used, "digests_copied": copied,
        "removed": removed, "temp_files_removed": leftovers,
        "seconds": round(time.perf_counter() - started, 3),
    }
    log.info("site %s: %d pages, %d written, %d stories unchanged", root, len(writer.new), writer.written, skipped)
    return summary


def site_weekly(engine: Engine, data: SiteData) -> Weekly:
    """The weekly sections of the topic and coverage pages: co-mentions and share of voice per bloc."""
    starts = week_starts(data.through)
    since, until = midnight(starts[0]), midnight(data.through, 1)
    pairs = named.strongest_pairs(engine, "topic", since, until, without=data.media)
    totals, by_topic = coverage_db.bloc_days(engine, since, until)
    return weekly_views(data.through, pairs, totals, by_topic, [t.id for t in data.topics])


def _shared_pages(writer: _Writer, data: SiteData, weekly: Weekly) -> None:
    writer.page("style.css", pages.render_stylesheet())
    writer.page("index.html", pages.render_index(data))
    for topic in data.topics:
        writer.page(f"topics/{topic.id}.html", pages.render_topic(data, topic, weekly.topics.get(topic.id)))
    writer.page("alerts.html", pages.render_alerts(data))
    writer.page("coverage.html", render_gaps_page(data, data.gaps, weekly.voice))
    writer.page("digests/index.html", pages.render_digest_archive(data))
    writer.page("feeds/digests.atom", pages.render_digest_feed(data))
    writer.page("feeds/alerts.atom", pages.render_alert_feed(data))
    writer.page("topics.json", pages.topics_json(data))
    writer.page("trends.json", pages.trends_json(data))
    for rel, text in named_files(data).items():
        writer.page(rel, text)


def _story_pages(writer: _Writer, engine: Engine, config: Config, data: SiteData, workers: int | None
                 ) -> tuple[int, int, int]:
    """Render the story pages whose stamp changed; (rendered, skipped, processes used)."""
    names = {t.id: t.name for t in data.topics}
    mentioned = named.named_stamps(engine)
    stamps = {
        sid: hashlib.sha256(f"{writer.salt}|{stamp}|{names.get(topic)}|{mentioned.get(sid)}".encode()).hexdigest()[:16]
        for sid, (stamp, topic) in outputs.story_stamps(engine).items()
    }
    todo, present = [], _file_names(writer.root / "stories")
    for sid, stamp in stamps.items():
        rel = f"stories/{sid}.html"
        if writer.fresh(rel, stamp, present):
            writer.new[rel] = stamp
        else:
            todo.append(sid)
    job = _StoryJob(_shareable_url(engine), writer.root, data, names, {sid: stamps[sid] for sid in todo},
                    tuple(configured_blocs(config)), rule(config), config.dedupe.site_repeats)
    count = _worker_count(workers, len(todo), job.url)
    if count <= 1:
        _merge(writer, _render_stories(job, todo, engine))
    else:
        engine.dispose()  # no pooled connection may be inherited by the forked workers
        _render_parallel(writer, job, todo, count)
    return len(todo), len(stamps) - len(todo), count


def _file_names(folder: Path) -> set[str]:
    """The regular files in ``folder`` (one directory listing instead of a stat per page)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_file()}
    except (FileNotFoundError, NotADirectoryError):
        return set()


@dataclass(frozen=True)
class _StoryJob:
    url: str | None
    root: Path
    data: SiteData
    names: dict[int, str]
    stamps: dict[int, str]
    blocs: tuple[str, ...] = ()  # configured blocs and the coverage rule, for each page's bloc timeline
    rule: CoverageRule = CoverageRule()
    repeats: int = 0  # the crawl's site_repeats: story ledes read without their sites' furniture


def _shareable_url(engine: Engine) -> str | None:
    """A URL other processes can open (not an in-memory SQLite database)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return None
    return url.render_as_string(hide_password=False)


def _worker_count(workers: int | None, todo: int, url: str | None) -> int:
    """Extra processes only where forking is safe: a database other processes can open, no other threads."""
    import threading

    if url is None or todo == 0 or threading.active_count() > 1 or os.name != "posix":
        return 1
    if workers is None:
        return min(os.cpu_count() or 1, 8) if todo >= PARALLEL_MIN else 1
    return max(1, workers)


def _render_stories(job: _StoryJob, ids: list[int], engine: Engine | None = None) -> tuple[int, int, dict[str, str]]:
    """Render and write the given story pages; (written, unchanged, manifest entries)."""
    from monitor.store.db import make_engine

    own = engine is None
    engine = make_engine(job.url or "") if engine is None else engine
    writer = _Writer(job.root, {}, "")
    try:
        for chunk in chunks(sorted(ids), STORY_CHUNK):
            covered = story_coverage(engine, chunk, job.blocs, job.rule)
            found = named.story_named(engine, chunk)
            for stored in outputs.load_stories(engine, chunk, job.repeats):
                story = story_page(stored, job.names, found.get(stored[0].id, ()))
                writer.page(f"stories/{story.id}.html", pages.render_story(job.data, story, covered.get(story.id)),
                            job.stamps[story.id])
    finally:
        if own:
            engine.dispose()
    return writer.written, writer.unchanged, writer.new


def _merge(writer: _Writer, result: tuple[int, int, dict[str, str]]) -> None:
    written, unchanged, new = result
    writer.written += written
    writer.unchanged += unchanged
    writer.new.update(new)


def _render_parallel(writer: _Writer, job: _StoryJob, todo: list[int], count: int) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ordered = sorted(todo)
    chunks = [ordered[i::count] for i in range(count)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        for result in pool.map(_render_stories, [job] * count, chunks):
            _merge(writer, result)


def _copy_digests(root: Path, data: SiteData) -> int:
    """Digests are written by the digest stage into the configured site folder; copy them into another one."""
    copied = 0
    for entry in data.digests:
        for suffix in (".html", ".txt"):
            source = Path(entry.html_path).with_suffix(suffix)
            target = root / "digests" / f"{entry.day.isoformat()}{suffix}"
            if source.resolve() != target.resolve() and source.is_file():
                copied += write_if_changed(target, source.read_bytes())
    return copied
