# plateau — build, run, test and benchmark on Debian with Swift.
# `make run` and `make test` install the system packages the build needs when they are
# missing (as root; otherwise they print the apt-get command to run).

SWIFT    ?= swift
PREFIX   ?= /usr/local
BIN      := .build/release/plateau
APT_DEPS := libncurses-dev zlib1g-dev libsqlite3-dev
# Tools the end-to-end tests drive the real binary with (ClickHouse: the --to/--source integration
# tests; Chromium: the HTML review rendered headless to PNG).
APT_TEST_DEPS := tmux clickhouse-server clickhouse-client chromium
SAMPLE_SCALE ?= 0.025
BENCH_DIR ?= .build/bench-data
# make bench compares plateau with DuckDB, pip-installed into this virtual env.
BENCH_VENV ?= .build/bench-venv
DUCKDB_VERSION ?= 2.0.1
# GNU time for peak RSS (the bench falls back on python's getrusage without it), and python3-venv
# when python3 cannot make a virtual env (evaluated by `make bench` only).
BENCH_APT_DEPS = time $(if $(shell python3 -c 'import ensurepip, venv' 2>/dev/null && echo ok),,python3-venv)

.DEFAULT_GOAL := run
.PHONY: run build deps test-deps bench-deps test bench bench-idle bench-clickhouse samplelogs install clean fuzz fuzz-short sanitize review-png

# $(1): Debian packages; $(2): what to do when some are missing and we are not root (default: stop).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) || exit 1; \
	  else \
	    echo "plateau needs:$$missing"; echo "run: sudo apt-get install -y$$missing"; $(or $(2),exit 1); \
	  fi; \
	fi
endef

deps:
	$(call apt_install,$(APT_DEPS))

test-deps:
	$(call apt_install,$(APT_DEPS) $(APT_TEST_DEPS))

bench-deps:
	$(call apt_install,$(BENCH_APT_DEPS),echo "make bench goes on without them")

build: deps
	$(SWIFT) build -c release --product plateau

## Opens the live dashboard on SampleLogs/, replaying March 2020 as if it were arriving live
## (REPLAY=off follows the files as they are instead).
REPLAY ?= 2d/s
run: build
	$(BIN) watch SampleLogs --metric remote.users $(if $(filter off,$(REPLAY)),,--replay $(REPLAY))

## Builds and runs every test (unit, golden, end-to-end through tmux, every committed fuzz input),
## then every fuzz target's checks on random mutations of its corpus for FUZZ_TEST_SECONDS
## (the plain build: no libFuzzer build, which costs minutes; `make fuzz` is the real thing),
## with a fixed seed so every machine checks the same mutations (FUZZ_SEED=random explores).
test: test-deps
	$(SWIFT) build --build-tests
	PLATEAU_REQUIRE_BROWSER=1 $(SWIFT) test --skip-build
	@$(MAKE) --no-print-directory fuzz-short

## Every libFuzzer target (Tests/fuzz: each format's record parser, the sniffer, the line framer,
## gzip, the JSON document splitter, plateau.toml, rules.toml, the follower) for FUZZ_SECONDS
## each, from its committed corpus; FUZZ_TARGETS=... picks some, FUZZ_JOBS=2 runs two at once.
## Builds the driver with -sanitize=fuzzer,address in .build-fuzz. Not part of `make test`.
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 5
FUZZ_TARGETS ?=
fuzz: deps
	@bash Tests/fuzz/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-short:
	@bash Tests/fuzz/fuzz.sh --mutate $(FUZZ_TEST_SECONDS) $(FUZZ_TARGETS)

## The suites that run parallel ingest, the follower, the store and the dashboard feed (and the
## CLI tests, which run the binary built the same way) under ThreadSanitizer, then under
## AddressSanitizer, each in its own build folder (.build-tsan, .build-asan). TSan's reports must
## all be the known Mutex false positives of Tests/sanitize/tsan-known.txt. Not part of `make test`.
SANITIZE_FILTER ?= IngestTests|ChunkingTests|FollowTests|LiveProgressTests|GzipMemberTests|StoreCLITests|FeedHeaderTests|DashboardStateTests|ResolverMemoTests|FeedFreshnessTests|DamagedGzipCLITests|SnapshotCLITests|FaultTests
sanitize: test-deps
	$(SWIFT) build --build-tests --scratch-path .build-tsan --sanitize=thread
	@rm -f .build-tsan/tsan-report.*; \
	  TSAN_OPTIONS="halt_on_error=0 exitcode=0 log_path=$(CURDIR)/.build-tsan/tsan-report" SWIFT_BACKTRACE=enable=no \
	  $(SWIFT) test --skip-build --scratch-path .build-tsan --sanitize=thread --filter '$(SANITIZE_FILTER)' > .build-tsan/tsan.log 2>&1; \
	  rc=$$?; grep -E '^(✔|✘) Test run|Executed' .build-tsan/tsan.log | tail -2; \
	  cat .build-tsan/tsan-report.* > .build-tsan/tsan-reports.log 2>/dev/null; bash Tests/sanitize/check-tsan.sh .build-tsan/tsan-reports.log $$rc
	$(SWIFT) build --build-tests --scratch-path .build-asan --sanitize=address
	ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no $(SWIFT) test --skip-build --scratch-path .build-asan --sanitize=address --filter '$(SANITIZE_FILTER)'

## Measures the generator on multi-gigabyte logs, then wc -l, DuckDB and `plateau snapshot` side by
## side, in one table, on narrow (10-column) and wide (41-column) NSS CSV sets with and without
## the directory, a 1M-meeting call-records set, and the narrow set at 2x and 4x; generated once
## into $(BENCH_DIR) (~16 GB). BENCH_SCALE=0.1 checks the harness in a minute; BENCH_RUNS,
## BENCH_SETS, BENCH_TIMEOUT: see Tests/bench/bench.sh. Not part of `make test`.
bench: build bench-deps
	@mkdir -p $(BENCH_DIR)
	@BENCH_VENV=$(BENCH_VENV) DUCKDB_VERSION=$(DUCKDB_VERSION) bash Tests/bench/bench.sh $(BIN) $(BENCH_DIR)
	@$(MAKE) --no-print-directory bench-idle
	@$(MAKE) --no-print-directory bench-clickhouse

## Load throughput of `plateau ingest --to clickhouse://` and the time of `--snapshot --source`
## against the in-memory path on the same generated data, on one local server and on a 2-shard
## local cluster (skipped without clickhouse-server).
bench-clickhouse: build
	@CH_SHARDS=1 bash Tests/bench/clickhouse.sh $(BIN) $(BENCH_DIR)
	@CH_SHARDS=2 bash Tests/bench/clickhouse.sh $(BIN) $(BENCH_DIR)

## The live dashboard's idle CPU on SampleLogs (tmux, 30 s of nothing new).
bench-idle: build test-deps
	@bash Tests/bench/idle_cpu.sh $(BIN) SampleLogs 30

## The picture of the HTML review in the README: SampleLogs' page, its first 1,900 pixels at 1280
## wide, rendered by headless Chromium (installed when missing).
REVIEW_PNG := Tests/PlateauCLITests/Snapshots/review-page.png
review-png: build
	$(call apt_install,chromium)
	$(BIN) --snapshot --format html --out .build/review.html --quiet SampleLogs
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
	  --window-size=1280,1900 --screenshot=$(CURDIR)/$(REVIEW_PNG) file://$(CURDIR)/.build/review.html 2>/dev/null

## Regenerates SampleLogs/ with the generator (deterministic).
samplelogs: build
	rm -rf SampleLogs
	$(BIN) generate --out SampleLogs --scale $(SAMPLE_SCALE) --seed 2020 --proxy-lines 1 --vpn-vendor mixed --gzip --quiet
	@du -sh SampleLogs

# The binary, a man page generated from the help (argument-parser's generate-manual plugin)
# and the shell completions argument-parser writes (bash, zsh, fish).
install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/plateau
	swift package --disable-sandbox generate-manual >/dev/null
	install -D -m 0644 .build/plugins/GenerateManual/outputs/plateau/plateau.1 $(DESTDIR)$(PREFIX)/share/man/man1/plateau.1
	mkdir -p .build/completions
	$(BIN) --generate-completion-script bash > .build/completions/plateau.bash
	$(BIN) --generate-completion-script zsh > .build/completions/_plateau
	$(BIN) --generate-completion-script fish > .build/completions/plateau.fish
	install -D -m 0644 .build/completions/plateau.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/plateau
	install -D -m 0644 .build/completions/_plateau $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_plateau
	install -D -m 0644 .build/completions/plateau.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/plateau.fish

clean:
	rm -rf .build .build-fuzz .build-tsan .build-asan
