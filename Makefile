# Xinyong — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
XINYONG := $(BUILD_DIR)/bin/xinyong
DEMO_DIR ?= var/demo
DEMO_SUBJECTS ?= 20000
LISTEN ?= 127.0.0.1:8080

.PHONY: all setup configure build test run demo demo-inspection bench clean

all: build

setup:
	@bash scripts/setup.sh node

configure: setup
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null; fi

# The engine, then the portal's third-party browser files (Apache ECharts, pinned in tools/web)
# copied into web/vendor/ (scripts/web-vendor.sh).
build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)
	@bash scripts/web-vendor.sh

test: build
	@bash scripts/setup.sh node browser
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Builds the demo city once: synthetic department files ingested through the real pipeline.
demo: build
	@if [ ! -f $(DEMO_DIR)/READY ]; then \
	  echo "creating the demo city in $(DEMO_DIR) ($(DEMO_SUBJECTS) subjects)…"; \
	  rm -rf $(DEMO_DIR).tmp && mkdir -p $(DEMO_DIR).tmp && \
	  $(XINYONG) gen --out $(DEMO_DIR).tmp/incoming --subjects $(DEMO_SUBJECTS) --seed 1 && \
	  $(XINYONG) --data $(DEMO_DIR).tmp/data ingest $(DEMO_DIR).tmp/incoming/* && \
	  $(MAKE) --no-print-directory demo-inspection DEMO_DATA=$(DEMO_DIR).tmp/data && \
	  rm -rf $(DEMO_DIR) && mv $(DEMO_DIR).tmp $(DEMO_DIR) && \
	  date -u +%FT%TZ > $(DEMO_DIR)/READY; fi

# A published random-inspection draw (双随机) of the demo city's manufacturers, graded by the
# daily full run, with synthetic results (`inspect demo-results`) recorded the way an inspecting
# department's file is (`inspect result --file`); about 15% stay pending.
DEMO_DEPT := 郑州市市场监督管理局
demo-inspection:
	@$(XINYONG) --data $(DEMO_DATA) grade --all >/dev/null
	@draw=$$($(XINYONG) --data $(DEMO_DATA) --json inspect --industry C --ratio 0.05 --seed 20260101 \
	    --dept $(DEMO_DEPT) --purpose 制造业企业双随机抽查（示范） | sed -n 's/^{"id":\([0-9]*\),.*/\1/p') && \
	  test -n "$$draw" && \
	  $(XINYONG) --data $(DEMO_DATA) inspect demo-results $$draw --out $(DEMO_DATA)/../inspection-results.csv && \
	  $(XINYONG) --data $(DEMO_DATA) inspect result $$draw --file $(DEMO_DATA)/../inspection-results.csv \
	    --dept $(DEMO_DEPT) && \
	  echo "published inspection draw $$draw with results (GET /api/v1/inspections/$$draw)"

# The demo's operator token (for the console at /console/) is made once and kept beside the city.
run: demo
	@test -s $(DEMO_DIR)/operator-token || (umask 077 && $(XINYONG) --data $(DEMO_DIR)/data token create \
	  --role operator --name 演示运营 --expires-days 3650 > $(DEMO_DIR)/operator-token 2>/dev/null)
	@echo "portal:           http://$(LISTEN)/"
	@echo "operator console: http://$(LISTEN)/console/  (sign in with the operator token in $(DEMO_DIR)/operator-token)"
	@echo "serving http://$(LISTEN) (Ctrl-C to stop)"
	@$(XINYONG) --data $(DEMO_DIR)/data serve --listen $(LISTEN)

bench: build
	@bash scripts/setup.sh bench
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
