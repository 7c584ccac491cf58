# healthwatch scheduler in a container: `docker build -t healthwatch .` then
#   docker run -d --name healthwatch -v healthwatch-data:/data healthwatch
#   docker exec healthwatch healthwatch status
# The database and logs live in the /data volume; mount your own config at /config and set
# HEALTHWATCH_CONFIG=/config to replace the bundled sources.
FROM python:3.11-slim

# Chromium: the optional browser tier (sources with browser = true) and `healthwatch report -o x.png`
RUN apt-get update && apt-get install -y --no-install-recommends build-essential chromium \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir '.[browser]' && apt-get purge -y build-essential && apt-get autoremove -y

RUN useradd --system --create-home --home-dir /data healthwatch
USER healthwatch
WORKDIR /data
VOLUME ["/data"]
ENV HEALTHWATCH_DB=/data/healthwatch.db PYTHONUNBUFFERED=1

# `healthwatch run` stops gracefully on SIGTERM (docker stop), letting running crawls finish
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5m --timeout=30s CMD healthwatch status --json > /dev/null || exit 1
CMD ["healthwatch", "run"]
