# The monitor as a long-running container: `monitor schedule` by default.
#   docker build -t tech-policy-monitor .
#   docker run -d --name monitor -v monitor-data:/data tech-policy-monitor
# Data (SQLite database, site, digests, models) lives in the /data volume.
FROM python:3.11-slim AS wheel

# Build the wheel: the package with its migrations, templates and demo data inside.
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md LICENSE ./
COPY monitor ./monitor
COPY migrations ./migrations
COPY templates ./templates
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 1000 monitor \
    && useradd --system --uid 1000 --gid monitor --home-dir /data --shell /usr/sbin/nologin monitor

# A plain (non-editable) install of the wheel; no source tree in the image.
# constraints.txt pins the CPU-only torch build (no CUDA libraries in the image).
WORKDIR /tmp/install
COPY constraints.txt ./
COPY --from=wheel /dist/ ./dist/
RUN pip install --no-cache-dir -c constraints.txt ./dist/*.whl \
    && python -c "import monitor.cli, wordllama" \
    && rm -rf /tmp/install

# The default feeds.yaml seeds a new /data volume; mount your own over it or set MONITOR_CONFIG.
COPY feeds.yaml /data/feeds.yaml
RUN mkdir -p /data/site \
    && chown -R monitor:monitor /data

ENV MONITOR_DATABASE_URL=sqlite:////data/monitor.db \
    MONITOR_CONFIG=/data/feeds.yaml \
    MONITOR_LOG_FORMAT=json

VOLUME ["/data"]
WORKDIR /data
USER 1000:1000

# Unhealthy when the last run failed or is older than 3 x schedule.crawl_minutes, or when no feed
# has been fetched successfully for 24 hours (the container is up but collects nothing).
HEALTHCHECK --interval=5m --timeout=60s --start-period=15m --retries=2 \
    CMD ["monitor", "status", "--check"]

STOPSIGNAL SIGTERM
CMD ["monitor", "schedule"]
