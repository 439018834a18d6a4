"""Coverage by bloc for the outputs: the store's stories and members through the pure rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.store import coverage as coverage_db
from monitor.trends.coverage import CoverageRule, Gap, StoryCoverage, configured_blocs, coverage, gaps, rule


def one_sided(engine: Engine, config: Config, start: datetime, end: datetime, limit: int = 200) -> list[Gap]:
    """Stories reported in [start, end) whose coverage is one-sided, most outlets first."""
    stories = coverage_db.one_sided_candidates(engine, start, end, config.coverage.single_min_outlets)
    members = coverage_db.members(engine, [sid for sid, _, _ in stories])
    return gaps(stories, members, configured_blocs(config), rule(config), limit)


def story_coverage(engine: Engine, story_ids: Sequence[int], blocs: Sequence[str], how: CoverageRule
                   ) -> dict[int, StoryCoverage]:
    """Coverage of each story, distinguishing terms included (story pages); ``blocs``: the configured ones."""
    return {sid: coverage(ms, blocs, how) for sid, ms in coverage_db.members(engine, story_ids, text=True).items()}
