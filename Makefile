# The two commands a newcomer needs:
#   make book   execute every notebook at PROFILE (default cpu) and build the HTML book
#   make test   unit tests, every notebook at smoke, nbval on the executed copies, the book with -W,
#               then the built book checked in headless chromium (math, layout, no network)
# Both create or reuse .venv and install what they need; `make test` also needs Debian's
# chromium and chromium-driver, installed with apt-get when missing and run as root.

PROFILE ?= $(or $(RLVID_PROFILE),cpu)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rlvid-installed

.PHONY: book test env notebooks unit nbval lint browser chromium bench reference clean

env: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

notebooks: $(STAMP)
	$(BIN)/python scripts/run_notebooks.py --profile $(PROFILE)

book: $(STAMP)
	$(MAKE) notebooks PROFILE=$(PROFILE)
	PATH=$(abspath $(BIN)):$$PATH bash scripts/build_book.sh $(PROFILE)

unit: $(STAMP)
	$(BIN)/python -m pytest tests -q --ignore=tests/browser

# The built book (_build/html) in Debian's headless chromium; screenshots in build/screens/.
browser: $(STAMP) chromium
	$(BIN)/python -m pytest tests/browser -q

chromium:
	bash scripts/need_chromium.sh

nbval: $(STAMP)
	RLVID_PROGRESS=0 $(BIN)/python -m pytest -q --nbval build/smoke/notebooks/*.ipynb \
		--nbval-sanitize-with tests/nbval_sanitize.cfg

lint: $(STAMP)
	$(BIN)/ruff check rlvid tests bench scripts notebooks

test: chromium $(STAMP)
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) notebooks PROFILE=smoke
	$(MAKE) nbval
	PATH=$(abspath $(BIN)):$$PATH bash scripts/build_book.sh smoke
	$(MAKE) browser

# Refresh the committed reference results of PROFILE from a full run of the notebooks (from a
# clean commit), then judge the claims on them together with the long reference runs' tables.
reference: $(STAMP)
	$(MAKE) notebooks PROFILE=$(PROFILE)
	mkdir -p results/$(PROFILE)
	cp build/$(PROFILE)/results/*.json build/$(PROFILE)/results/*.csv results/$(PROFILE)/
	# the claims again, on every committed table: the book's and the long runs' (v3.json)
	$(BIN)/python -c "from rlvid.claims.judge import write_claims; print(write_claims('results/$(PROFILE)'))"

bench: $(STAMP)
	for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf build _build
