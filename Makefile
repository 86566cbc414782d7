# Jixiao recipes. The README's two commands are `make run` and `make test`; everything else is optional.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed-stamp
SYSTEM  := $(VENV)/.system-stamp

.PHONY: run test ingest bench lint system-deps

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Debian packages: Chromium (kaleido chart export, browser tests), Noto CJK fonts (Chinese glyphs in exports),
# poppler-utils (pdftoppm for report previews), LibreOffice Writer and Calc without GUI (the report's .docx -> PDF;
# reading .doc/.wps and .et forms; ≈1 min to install), Tesseract with its Simplified Chinese data (the second OCR
# engine for scans, JIXIAO_OCR=tesseract), libgl1/libglib2.0-0 (OpenCV, used to find a scan's ruling lines),
# Java 17 (Apache Spark: the tests run the queries and the ingest on Spark local[2]).
# Installed once per machine.
$(SYSTEM):
	@mkdir -p $(VENV)
	@if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	    && command -v pdftoppm >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 \
	    && dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 && command -v tesseract >/dev/null 2>&1 \
	    && test -f /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata \
	    && dpkg -s libgl1 libglib2.0-0 >/dev/null 2>&1 && command -v java >/dev/null 2>&1; then :; else \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk poppler-utils \
	    libreoffice-writer-nogui libreoffice-calc-nogui tesseract-ocr tesseract-ocr-chi-sim libgl1 libglib2.0-0 \
	    openjdk-17-jre-headless; fi
	touch $(SYSTEM)

system-deps: $(SYSTEM)

# The dashboard on the default data: data/raw, the demo corpus (generated on first run) and data/uploads; the
# database is built on first start (or when the schema changed), then http://127.0.0.1:8501 serves the app.
run: $(STAMP) $(SYSTEM)
	$(VENV)/bin/jixiao app

test: $(STAMP) $(SYSTEM)
	$(PY) -m pytest

ingest: $(STAMP)
	$(VENV)/bin/jixiao ingest

bench: $(STAMP)
	$(PY) -m pytest -m benchmark -p no:cacheprovider -o addopts="" tests/benchmarks

# ruff (lint + format), sqlfluff over the SQL (queries/, the schema, the cross-form rules), mypy over the package.
lint: $(STAMP)
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint queries dashboard/sql dashboard/ingest/cross_rules.sql
	$(VENV)/bin/mypy
