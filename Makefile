# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
# Debian packages the tests drive: the browser, Java for the HTML validator, Node for
# Lighthouse, nginx (with brotli) and rsync for the deploy tests; the Noto fonts the printed
# pieces embed, and poppler-utils (pdftotext, pdftoppm, pdffonts) to read them back.
SYSTEM_PACKAGES := chromium default-jre-headless nodejs npm nginx libnginx-mod-http-brotli-static rsync fonts-noto-core poppler-utils
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The sample campaign `make run` rehearses into outbox/rehearsal/ to show the whole flow.
DEMO_CAMPAIGN := hari-dunia-anti-perdagangan-orang-2027
NODE_STAMP := node_modules/.installed-stamp

.PHONY: run test bench lint build check lock clean system-deps factsheet translations print-system-packages

run: $(STAMP) ## Build and serve the site at http://127.0.0.1:8000, run the publisher beside it
	$(BIN)/publisher serve --publish --rehearse $(DEMO_CAMPAIGN)

test: $(STAMP) system-deps $(NODE_STAMP) ## Run the whole test suite, browser tests included
	$(BIN)/pytest

build: $(STAMP)
	$(BIN)/publisher build

lint: $(STAMP)
	$(BIN)/ruff check publisher tests bench scripts
	$(BIN)/ruff format --check publisher tests bench scripts
	$(BIN)/lint-imports

# The locks pin every package with its hashes; pip refuses anything else (--require-hashes).
# requirements/dev.txt is requirements/runtime.txt (what a server installs) plus the tools.
$(STAMP): requirements/dev.txt requirements/runtime.txt pyproject.toml
	@bash scripts/ensure-venv.sh "$(PYTHON)" "$(VENV)"
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $(STAMP)

system-deps: ## Debian packages the tests need (installed when root or sudo can)
	@bash scripts/ensure-system-packages.sh $(SYSTEM_PACKAGES)

# The HTML validator and Lighthouse, pinned in package-lock.json. --ignore-scripts: vnu-jar's
# install script would download a Java runtime; we use Debian's.
$(NODE_STAMP): package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $(NODE_STAMP)

# Theme strings: extract them from the templates, merge into the English catalogue, compile.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		-o theme/translations/messages.pot theme/templates pelicanconf.py
	$(BIN)/pybabel update -i theme/translations/messages.pot -d theme/translations -l en \
		--no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d theme/translations --statistics

# The benchmarks also need Hugo (the peer), GNU time (peak memory) and nginx with brotli_static.
BENCH_PACKAGES := hugo time nginx libnginx-mod-http-brotli-static

bench: $(STAMP) system-deps $(NODE_STAMP) ## Run the benchmarks (~35 min) and rewrite docs/benchmarks.md
	@bash scripts/ensure-system-packages.sh $(BENCH_PACKAGES)
	$(BIN)/python bench/bench_tick.py
	$(BIN)/python bench/run_all.py

# Regenerate the fact sheet PDF after changing data/hotlines.yaml.
factsheet: $(STAMP)
	$(BIN)/python scripts/make_factsheet.py

# Re-pin every dependency, with hashes, after editing pyproject.toml.
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links --strip-extras
lock: $(STAMP)
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile $(LOCK_FLAGS) -o requirements/runtime.txt pyproject.toml
	$(BIN)/pip-compile $(LOCK_FLAGS) --extra dev -c requirements/runtime.txt \
		-o requirements/dev.txt pyproject.toml

clean:
	rm -rf output .output-* outbox print var .pytest_cache node_modules

print-system-packages:
	@echo $(SYSTEM_PACKAGES)
