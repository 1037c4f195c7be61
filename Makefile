# Two commands on a fresh machine: `make demo` and `make test`. Both create .venv themselves.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-fast test-slow lint eval eval-claims eval-corroboration bench bench-feeds bench-story bench-recovery bench-pipeline burst sweep-stories fit-stories story-baselines soak clean prometheus fuzz

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/claimwire demo

# lint first: a type or style error fails the suite in CI too (it takes about a second)
test: $(STAMP) prometheus lint
	$(BIN)/python -m pytest -q -p no:cacheprovider

# The edit loop: unit and contract tests, no broker, no Prometheus, no quality gates (< 60 s).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not integration and not quality and not long and not slow"

# Fault tests too heavy for the default suite (real workers SIGKILLed twice: about a minute).
test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/test_worker_faults.py

# Debian's prometheus + promtool, for tests/test_prometheus.py (a real Prometheus evaluates
# every dashboard query and alert rule). Installs only when missing; needs root or sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
prometheus:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || { \
	  echo "installing Debian's prometheus (for the monitoring test)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $(SUDO) apt-get install -y -q --no-install-recommends prometheus >/dev/null || { \
	    $(SUDO) apt-get update -q >/dev/null && \
	    $(SUDO) apt-get install -y -q --no-install-recommends prometheus >/dev/null; }; }

# mypy sees the code under its installed names (claimwire.agents, ...) through a folder of
# links: the editable install's import hook is invisible to it, and without the links every
# cross-module import would silently be Any.
NS := .mypy-ns/claimwire
lint: $(STAMP)
	$(BIN)/ruff check streams agents schemas tests scripts
	@mkdir -p $(NS) && for d in agents streams schemas; do ln -sfn ../../$$d $(NS)/$$d; done
	MYPYPATH=.mypy-ns $(BIN)/mypy -p claimwire.agents -p claimwire.streams -p claimwire.schemas

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .mypy-ns

# Story and confirmation quality on the ECB+ dev corpus (issue 4); figures in docs/quality.md.
ECB := ../shared/data/stories/ecbplus-dev
eval: $(STAMP)
	$(BIN)/claimwire replay $(ECB)/articles.jsonl --dump out/ecbplus-dev
	$(BIN)/python ../shared/eval/score_stories.py $(ECB)/gold-clusters.json out/ecbplus-dev \
		--articles $(ECB)/articles.jsonl | tee out/ecbplus-dev.score.txt
	@echo "in-sample (above) and cross-validated (below): weights fitted on half the topics, in the pipeline order and 4 shuffled orders (about 8 minutes)"
	$(BIN)/python scripts/cv_stories.py --orders 4 --json out/story-cv.json

sweep-stories: $(STAMP)
	$(BIN)/python scripts/sweep_story_threshold.py --orders 11 --json out/story-sweep.json \
		0.3 0.35 0.4 0.45 0.5 0.6

# Reference clusterings of ECB+ dev (TF-IDF + K-means told the number of events, offline
# linkage of the stage's own pair probabilities), to put the story F1 in context; ~1.5 min.
story-baselines: $(STAMP)
	$(BIN)/python scripts/story_baselines.py --json out/story-baselines.json

# Refit the story-similarity weights (agents/data/story_weights.json) on the ECB+ dev pairs;
# tests/test_story_quality.py checks that the committed file is what this produces.
fit-stories: $(STAMP)
	$(BIN)/python scripts/fit_story_weights.py

# Bounded state under sustained load (issue 4): 3 window-lengths of synthetic news through a
# real worker, labelled Dutch and then English (the sentence encoder on); writes
# out/soak.json and out/soak-en.json, exits 1 if RSS or a state size still grows.
soak: $(STAMP)
	$(BIN)/python scripts/soak.py --windows 3 --out out/soak.json
	$(BIN)/python scripts/soak.py --windows 3 --language en --out out/soak-en.json

# Claim-extraction quality per language (issue 3): PolNeAR dev (en) and the nl/de gold sets;
# figures in docs/claims.md, floors in tests/data/claims/floors.json.
eval-claims: $(STAMP)
	$(BIN)/python scripts/eval_claims.py --json out/claims-eval.json --check tests/data/claims/floors.json

# Story-assignment cost at 300 / 3,000 / 20,000 live stories, and index vs full scan on ECB+
# dev (issue 13); writes bench-results/story.json.
bench-story: $(STAMP)
	$(BIN)/python scripts/bench_story.py --out bench-results/story.json

# Recovery after a SIGKILL with 20,000 articles in the story window, with snapshots (issue 15);
# writes bench-results/recovery.json.
bench-recovery: $(STAMP)
	$(BIN)/python scripts/bench_recovery.py --articles 20000 --out bench-results/recovery.json

# The pipeline end to end (issue 15): throughput over the real pages against trafilatura
# alone, CPU per article by stage and the faust + Kafka share of it, peak RSS per stage, 1 vs 2
# extract workers, ingest-to-confirmation latency, recovery after SIGKILL (20,000 articles),
# a profile; writes bench-results/pipeline.json (figures in docs/performance.md). Over an
# hour on a shared 2-core machine; PIPELINE_ARGS="--pages 150" is what docs/performance.md
# ran, PIPELINE_ARGS=--quick a smoke run. Then the burst test.
PIPELINE_ARGS ?=
bench-pipeline: $(STAMP)
	$(BIN)/python scripts/bench_pipeline.py $(PIPELINE_ARGS) --out bench-results/pipeline.json
	$(MAKE) burst

# 2,000 pages at once to real workers: no rebalance, every page accounted (tests/test_burst.py).
burst: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m slow tests/test_burst.py

# Corroboration on the dev scenarios of ../shared/data/corroboration and ours in
# tests/data/corroboration (issue 14): every scenario replayed with its gold's settings and
# scored; prints the table, writes out/corroboration/, and fails below the floors
# (tests/data/corroboration/floors.json; CI: tests/test_corroboration_quality.py).
eval-corroboration: $(STAMP)
	$(BIN)/python scripts/eval_corroboration.py --out out/corroboration --check tests/data/corroboration/floors.json

# Extract-stage throughput (issue 3): trafilatura vs language ID vs claim NLP per page, one core;
# writes bench-results/extract.json.
bench: $(STAMP)
	$(BIN)/python scripts/bench_extract.py --out bench-results/extract.json

# The feeds service (issue 16): 500 feeds x 20 items served locally; one --once pass and an
# idle pass (every feed 304); time and peak RSS in bench-results/feeds.json (docs/operations.md).
bench-feeds: $(STAMP)
	$(BIN)/python scripts/bench_feeds.py --out bench-results/feeds.json

# Hostile input at scale (issue 17): 10,000 random hostile records through the decode and
# extract logic, 2,000 through a real worker on the embedded broker; every record accounted.
# CI runs the same strategies seeded (tests/test_hostile.py, tests/test_faults.py).
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --logic 10000 --broker 2000
