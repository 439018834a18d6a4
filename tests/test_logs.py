"""--log-format json: stderr carries JSON lines only, whoever logs (libraries too), and no progress bar."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import importlib.util, logging, warnings
from pathlib import Path
from monitor.logs import setup_logging
setup_logging("json")
# BERTopic's own logger class, loaded from its file (the package itself imports torch)
folder = Path(importlib.util.find_spec("bertopic").submodule_search_locations[0])
spec = importlib.util.spec_from_file_location("bertopic_utils_probe", folder / "_utils.py")
utils = importlib.util.module_from_spec(spec)
spec.loader.exec_module(utils)
bertopic_log = utils.MyLogger()
bertopic_log.configure("WARNING")
bertopic_log.warning("from BERTopic")
warnings.warn("a library warning")
logging.getLogger("urllib3").error("from urllib3")
logging.getLogger("monitor.probe").info("from the monitor")
from tqdm import tqdm
for _ in tqdm(range(3), desc="a library's bar"):
    pass
"""


def test_json_log_format_writes_only_json_lines():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "TQDM_"))}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]  # each line is JSON
    messages = {r["logger"]: r["message"] for r in records}
    assert "from BERTopic" in messages["BERTopic"]
    assert "a library warning" in messages["py.warnings"]
    assert messages["urllib3"] == "from urllib3" and messages["monitor.probe"] == "from the monitor"
    assert len(records) == 4



def test_log_options_work_after_the_command_name_too(tmp_path):
    """`monitor run --log-format json` and `monitor run -v`, as users type them (a feed that refuses)."""
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: a\n    url: http://127.0.0.1:9/feed\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "TQDM_"))}

    def run(*options: str) -> str:
        return subprocess.run([sys.executable, "-m", "monitor", "run", *options], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL).stderr

    records = [json.loads(line) for line in run("--log-format", "json").splitlines() if line.strip()]
    assert records and all(r["logger"].startswith("monitor") for r in records)
    plain = run()
    assert " INFO " in plain and " DEBUG " not in plain
    assert " DEBUG " in run("-v")


def test_an_unknown_log_format_in_the_environment_is_a_one_line_error(tmp_path):
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: a\n    url: https://example.org/feed\n", encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}, "MONITOR_LOG_FORMAT": "xml"}
    done = subprocess.run([sys.executable, "-m", "monitor", "status"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 2 and done.stderr.strip() == "monitor: MONITOR_LOG_FORMAT: must be text or json (value 'xml')"


def test_a_failed_command_s_last_json_line_says_why_with_its_exit_code(tmp_path):
    """Under --log-format json the reason a command failed is a JSON line too, the last one, worded for a
    reader: a refused connection, not the HTTP library's exception."""
    (tmp_path / "feeds.yaml").write_text("feeds:\n  - name: a\n    url: http://127.0.0.1:9/feed\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONITOR_", "TQDM_"))}
    done = subprocess.run([sys.executable, "-m", "monitor", "crawl", "--no-analysis", "--log-format", "json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    *_, last = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert last["level"] == "error" and last["exit_code"] == 1
    assert last["message"] == ("the one feed failed, nothing was collected "
                               "(a: cannot connect to 127.0.0.1:9: connection refused)")
