# plateau — build, run, test and benchmark on Debian with Swift.
# `make run` and `make test` install the system packages the build needs when they are
# missing (as root; otherwise they print the apt-get command to run).

SWIFT    ?= swift
PREFIX   ?= /usr/local
BIN      := .build/release/plateau
APT_DEPS := libncurses-dev zlib1g-dev
# Tools the end-to-end tests drive the real binary with.
APT_TEST_DEPS := tmux
SAMPLE_SCALE ?= 0.025
BENCH_DIR ?= .build/bench-data

.DEFAULT_GOAL := run
.PHONY: run build deps test-deps test bench samplelogs install clean

define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) || exit 1; \
	  else \
	    echo "plateau needs:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi
endef

deps:
	$(call apt_install,$(APT_DEPS))

test-deps:
	$(call apt_install,$(APT_DEPS) $(APT_TEST_DEPS))

build: deps
	$(SWIFT) build -c release --product plateau

## Opens the live dashboard on SampleLogs/.
run: build
	$(BIN) watch SampleLogs

## Builds and runs every test (unit, golden, end-to-end through tmux).
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

## Measures the generator on multi-gigabyte logs (figures on stdout).
bench: build
	@mkdir -p $(BENCH_DIR)
	@bash Tests/bench/bench.sh $(BIN) $(BENCH_DIR)

## Regenerates SampleLogs/ with the generator (deterministic).
samplelogs: build
	rm -rf SampleLogs
	$(BIN) generate --out SampleLogs --scale $(SAMPLE_SCALE) --seed 2020 --proxy-lines 1 --gzip --quiet
	@du -sh SampleLogs

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/plateau

clean:
	rm -rf .build
