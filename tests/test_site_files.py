"""The site folder after a killed build: its temporary files are cleaned by the next build, not published."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from monitor.deliver.files import remove_leftover_temps, write_if_changed


def test_a_rebuild_removes_temp_files_a_killed_build_left(tmp_path, write_config):
    out = tmp_path / "site"
    (out / "stories").mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    leftovers = [out / f".index.html.{dead.stdout.strip()}-k2j3h4.tmp", out / "stories" / ".12.html.a8d7s6.tmp"]
    for path in leftovers:
        path.write_text("<half a page", encoding="utf-8")
    config = write_config({"feeds": [{"name": "A", "url": "http://127.0.0.1:9/feed.xml"}]})
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    env["MONITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'monitor.db'}"
    result = subprocess.run([sys.executable, "-m", "monitor", "--config", str(config), "site", "--out", str(out)],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (out / "index.html").exists()
    assert not [p for p in out.rglob("*.tmp")], sorted(out.rglob("*.tmp"))


def test_a_build_running_now_keeps_its_temp_files(tmp_path):
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as other:
        try:
            busy = tmp_path / f".index.html.{other.pid}-q1w2e3.tmp"
            busy.write_text("being written", encoding="utf-8")
            assert remove_leftover_temps(tmp_path) == 0 and busy.exists()
        finally:
            other.kill()
    other.wait()
    assert remove_leftover_temps(tmp_path) == 1 and not busy.exists()


def test_the_temp_file_names_its_writer(tmp_path, monkeypatch):
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: Path) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    assert write_if_changed(tmp_path / "page.html", b"<p>hi</p>")
    assert seen[0].startswith(f".page.html.{os.getpid()}-") and seen[0].endswith(".tmp")


def test_a_write_makes_its_folder_and_steps_over_a_stale_temp_name(tmp_path, monkeypatch):
    import itertools
    import stat

    from monitor.deliver import files

    monkeypatch.setattr(files, "_serial", itertools.count(7))
    page = tmp_path / "stories" / "new" / "1.html"
    assert write_if_changed(page, b"<p>one</p>") and page.read_bytes() == b"<p>one</p>"
    stale = page.parent / f".2.html.{os.getpid()}-8.tmp"
    stale.write_bytes(b"left by an earlier process with this id")
    assert write_if_changed(page.parent / "2.html", b"<p>two</p>")
    assert (page.parent / "2.html").read_bytes() == b"<p>two</p>" and stale.read_bytes().startswith(b"left")
    assert stat.S_IMODE((page.parent / "2.html").stat().st_mode) == 0o644
    assert sorted(p.name for p in page.parent.iterdir()) == [stale.name, "1.html", "2.html"]
