# Xinyong — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
BUILD_DIR ?= build
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
XINYONG := $(BUILD_DIR)/bin/xinyong
DEMO_DIR ?= var/demo
DEMO_SUBJECTS ?= 20000
LISTEN ?= 127.0.0.1:8080

.PHONY: all setup configure build test run demo bench clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@if [ ! -f $(BUILD_DIR)/build.ninja ]; then \
	  cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null; fi

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@bash scripts/setup.sh node
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900

# Builds the demo city once: synthetic department files ingested through the real pipeline.
demo: build
	@if [ ! -f $(DEMO_DIR)/READY ]; then \
	  echo "creating the demo city in $(DEMO_DIR) ($(DEMO_SUBJECTS) subjects)…"; \
	  rm -rf $(DEMO_DIR).tmp && mkdir -p $(DEMO_DIR).tmp && \
	  $(XINYONG) gen --out $(DEMO_DIR).tmp/incoming --subjects $(DEMO_SUBJECTS) --seed 1 && \
	  $(XINYONG) --data $(DEMO_DIR).tmp/data ingest $(DEMO_DIR).tmp/incoming/* && \
	  rm -rf $(DEMO_DIR) && mv $(DEMO_DIR).tmp $(DEMO_DIR) && \
	  date -u +%FT%TZ > $(DEMO_DIR)/READY; fi

run: demo
	@echo "serving http://$(LISTEN) (Ctrl-C to stop)"
	@$(XINYONG) --data $(DEMO_DIR)/data serve --listen $(LISTEN)

bench: build
	@bash scripts/setup.sh bench
	@bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
