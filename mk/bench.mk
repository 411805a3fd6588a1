# make bench: the filter's cost against plain nginx and sub_filter, on
# loopback, with wrk (bench/run.py); and micro-benchmarks of the core
# (build/consent-bench).  Results: build/bench/results.json, a table on
# the standard output, build/bench/ratios.svg.  docs/performance.md
# explains the method and the figures.
#
#   make bench                      about 8 minutes: 2 s a case, 3 rounds
#   make bench BENCH_SECONDS=10 BENCH_ROUNDS=5     longer, steadier
#   make bench-micro                the core micro-benchmarks only
#   make bench-callgrind            instructions per request in the worker
#                                   (valgrind; after a make bench)
#
# Other knobs (environment or make variables): BENCH_WORKERS ("1 2"),
# BENCH_CONNECTIONS (32), BENCH_PAGES2 (pages also run with 2 workers,
# default "p50k"; "all" for every page), BENCH_DOCS=1 (also copy the
# table and the chart into docs/performance.md and docs/performance.svg).

BENCH_DIR     = $(BUILD)/bench
BENCH_TOOL    = $(BUILD)/consent-bench
PYTHON       ?= python3

.PHONY: bench bench-micro bench-deps bench-callgrind

$(BENCH_TOOL): src/tools/consent-bench.c src/tools/consent-bench-floor.c \
    src/tools/consent-bench-floor.h $(BUILD)/libconsent.a
	$(CC) $(CFLAGS) $(WARNINGS) -D_GNU_SOURCE -Isrc \
	    src/tools/consent-bench.c src/tools/consent-bench-floor.c \
	    $(BUILD)/libconsent.a $(LIBS) -o $@

bench-deps:
	@sh bench/deps.sh

bench-micro: all $(BENCH_TOOL)
	@mkdir -p $(BENCH_DIR)/html
	@$(PYTHON) bench/gen-pages.py $(BENCH_DIR)/html
	$(BENCH_TOOL) --policy conf/policy.json $(BENCH_DIR)/html/p2k.html \
	    $(BENCH_DIR)/html/p50k.html $(BENCH_DIR)/html/p500k.html \
	    $(BENCH_DIR)/html/p5m.html

bench: all $(BENCH_TOOL) bench-deps
	@NGINX_BIN="$(NGINX_BIN)" BUILD="$(CURDIR)/$(BUILD)" \
	    $(PYTHON) bench/run.py

bench-callgrind:
	@BUILD="$(BUILD)" NGINX_BIN="$(NGINX_BIN)" sh bench/callgrind.sh

# built with everything else: t/bench-floor.t checks the floor finds the
# tags the scanner finds
all: $(BENCH_TOOL)
