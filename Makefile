# The few commands people type. `make check` and `make test` work on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha1sum | cut -c1-12)
EXAMPLE := examples/nordic-response/activities.geojson

.PHONY: install serve check exercise test lint format dataset schemas scenarios bench screenshots clean replay-example

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# The main job: the HTTP API with the default High North dataset on the embedded SQLite database
# (./highnorth.db; HIGHNORTH_DATABASE_URL or --database-url for another). docs/api.md.
serve: $(STAMP)
	$(BIN)/highnorth serve

# Screen the example exercise against the default High North dataset.
# Exit codes 0 (permitted/conditional), 3 (referred) and 4 (denied) are decisions, not failures.
check: $(STAMP)
	@$(BIN)/highnorth check $(EXAMPLE); code=$$?; \
	  if [ $$code -eq 0 ] || [ $$code -eq 3 ] || [ $$code -eq 4 ]; then exit 0; else exit $$code; fi

# The example as an exercise plan: its report as an HTML page (no script) and its deadlines (.ics)
exercise: $(STAMP)
	@mkdir -p build
	@$(BIN)/highnorth exercise calendar $(EXAMPLE) -o build/nordic-response.ics
	@$(BIN)/highnorth exercise report $(EXAMPLE) --format html -o build/nordic-response.html; code=$$?; \
	  if [ $$code -eq 0 ] || [ $$code -eq 3 ] || [ $$code -eq 4 ]; then exit 0; else exit $$code; fi

# Everything CI runs: lint, format check, the whole test suite (unit, property, scenario, CLI, doctests).
test: $(STAMP)
	$(BIN)/ruff check src tests scripts examples bench
	$(BIN)/ruff format --check src tests scripts examples bench
	$(BIN)/mypy src/highnorth
	$(BIN)/pytest

# Replay the example ADS-B archive (examples/replay/, made by scripts/make_replay_example.py)
# on a local Dask cluster: tables, summary and report in out/replay-example/.
replay-example: $(STAMP)
	$(BIN)/highnorth replay examples/replay/adsb-finnmark.json.gz --format adsb --out out/replay-example --also gpkg,csv

scenarios: $(STAMP)
	$(BIN)/highnorth policy test examples/scenarios

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts examples bench

format: $(STAMP)
	$(BIN)/ruff format src tests scripts examples bench

dataset: $(STAMP)
	$(BIN)/python scripts/build_dataset.py

# Speed: ratios against baselines measured in the same run (bench/README.md)
bench: $(STAMP)
	$(BIN)/python bench/run.py --quick

# The README's pictures: the browser tests save their screenshots into docs/screenshots/
screenshots: $(STAMP)
	HIGHNORTH_UPDATE_SCREENSHOTS=1 $(BIN)/pytest tests/test_web.py tests/test_web_views.py tests/test_web_workflow.py

schemas: $(STAMP)
	$(BIN)/python scripts/write_schemas.py

clean:
	rm -rf $(VENV) .build .pytest_cache .ruff_cache .hypothesis
