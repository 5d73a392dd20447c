# newswatch as a container: a slim Python, a non-root user, the database on a volume.
#   docker build -t newswatch .
#   docker run -d --name newswatch -v newswatch-data:/data \
#     -e SLACK_BOT_TOKEN -e SLACK_APP_TOKEN newswatch
# newswatch runs in /data, so it reads /data/newswatch.toml (copy newswatch.example.toml
# there) and keeps /data/newswatch.db; without a config the built-in default runs and prints
# alerts to the container's log.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY adapters ./adapters
COPY watchlists ./watchlists
COPY seeds ./seeds
RUN pip install '.[slack,discord]' && rm -rf /src

RUN useradd --system --uid 10001 --home-dir /data --create-home newswatch
USER newswatch
WORKDIR /data
VOLUME ["/data"]

ENTRYPOINT ["newswatch"]
CMD ["run"]
