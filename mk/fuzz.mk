# Fuzzing and valgrind (included by the top Makefile; uses its BUILD,
# CC, CORE_SRCS, CORE_HDRS, LIBS, SANITIZE, WARNINGS, UNIT_SRCS)
#
#   make fuzz             every harness of t/fuzz/ for FUZZ_TIME seconds
#                         (default 60) with libFuzzer, ASan and UBSan;
#                         FUZZ=html,token runs only those; a crash fails
#                         it and is left in build/fuzz/crashes/NAME/
#                         (copy it into t/fuzz/regress/NAME/ to keep it)
#   make fuzz-replay      the harnesses built with cc, without libFuzzer;
#                         make test runs them over t/fuzz/corpus and
#                         t/fuzz/regress (t/fuzz/regress.t)
#   make test-valgrind    the unit tests and the fuzz corpora under
#                         valgrind memcheck (built without ASan), then
#                         a subset of the integration suite against
#                         nginx in one process under valgrind
#   make fuzz-merge       adds what make fuzz found that reaches new code
#                         to t/fuzz/corpus/NAME
#   make fuzz-deps        installs clang and libFuzzer, valgrind (root)
#
# Run `make -j2 fuzz` to fuzz two harnesses at a time.

FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_FLAGS   ?=
FUZZ_WORK     = $(BUILD)/fuzz
# every harness in t/fuzz/ (replay.c is the driver that replays them)
FUZZ_NAMES    = $(filter-out replay,$(basename $(notdir \
                    $(wildcard t/fuzz/*.c))))
FUZZ         ?= $(FUZZ_NAMES)
FUZZ_RUN      = $(subst $(comma), ,$(FUZZ))
comma        := ,

FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZ_DEFS     = -DFUZZ_REPO='"$(CURDIR)"'
FUZZ_OBJS     = $(CORE_SRCS:src/%.c=$(FUZZ_WORK)/obj/%.o)
FUZZ_BINS     = $(FUZZ_NAMES:%=$(FUZZ_WORK)/bin/%)
REPLAY_BINS   = $(FUZZ_NAMES:%=$(FUZZ_WORK)/replay/%)
VG_REPLAY     = $(FUZZ_NAMES:%=$(BUILD)/vg/replay/%)
VG_UNITS      = $(UNIT_SRCS:t/unit/%.c=$(BUILD)/vg/unit/%)

# longest input per harness, and its dictionary
FUZZ_LEN_html    = 4096
FUZZ_LEN_policy  = 16384
FUZZ_LEN_verify  = 16384
FUZZ_LEN_record  = 8192
FUZZ_LEN_tcf_gvl = 8192
FUZZ_LEN_tcf_ui  = 8192
FUZZ_DICT_html    = t/fuzz/html.dict
FUZZ_DICT_match   = t/fuzz/html.dict
FUZZ_DICT_hosts   = t/fuzz/html.dict
FUZZ_DICT_token   = t/fuzz/cookie.dict
FUZZ_DICT_keys    = t/fuzz/cookie.dict
FUZZ_DICT_request = t/fuzz/cookie.dict
FUZZ_DICT_policy  = t/fuzz/json.dict
FUZZ_DICT_record  = t/fuzz/json.dict
FUZZ_DICT_tcf_gvl = t/fuzz/json.dict
FUZZ_DICT_tcf_ui  = t/fuzz/json.dict
FUZZ_DICT_verify  = t/fuzz/json.dict
FUZZ_DICT_cookie_hdr = t/fuzz/cookie.dict

VALGRIND      ?= valgrind
VALGRIND_OPTS  = --tool=memcheck --error-exitcode=99 --leak-check=full \
                 --errors-for-leak-kinds=definite \
                 --show-leak-kinds=definite --track-origins=yes \
                 --num-callers=30 -q
# the integration tests run against nginx under valgrind
VG_TESTS      ?= t/endpoint.t t/state.t t/require.t t/filter.t \
                 t/bad-requests.t

.PHONY: fuzz fuzz-build fuzz-replay fuzz-deps fuzz-check test-valgrind \
        test-valgrind-unit test-valgrind-nginx \
        $(FUZZ_NAMES:%=fuzz-run-%)

# make test replays the corpora and regression fixtures
test: fuzz-replay

fuzz-replay: $(REPLAY_BINS)

fuzz-build: fuzz-check $(FUZZ_BINS)

# clang with libFuzzer; installed when missing and root
fuzz-check:
	@mkdir -p $(BUILD)
	@if ! printf 'int LLVMFuzzerTestOneInput(const char *d, long n)%s\n' \
	    '{ return 0; }' | $(FUZZ_CC) -x c -fsanitize=fuzzer - \
	    -o $(BUILD)/.fuzz-check >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory fuzz-deps; \
	fi

fuzz-deps:
	@need=; \
	command -v $(FUZZ_CC) >/dev/null 2>&1 || need="clang"; \
	if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
	    v=$$($(FUZZ_CC) -dumpversion | cut -d. -f1); \
	    dpkg-query -W -f='$${Status}' libclang-rt-$$v-dev 2>/dev/null \
	        | grep -q 'install ok installed' \
	        || need="$$need libclang-rt-$$v-dev"; \
	fi; \
	command -v $(VALGRIND) >/dev/null 2>&1 || need="$$need valgrind"; \
	[ -z "$$need" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "fuzzing needs Debian packages; run:" >&2; \
	    echo "  sudo apt-get install$$need" >&2; \
	    [ "$$need" = " valgrind" ] || exit 1; exit 0; \
	fi; \
	echo "installing:$$need"; \
	DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$need >/dev/null; \
	case "$$need" in *clang\ *|clang) \
	    v=$$($(FUZZ_CC) -dumpversion | cut -d. -f1); \
	    dpkg-query -W -f='$${Status}' libclang-rt-$$v-dev 2>/dev/null \
	        | grep -q 'install ok installed' \
	        || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	            --no-install-recommends libclang-rt-$$v-dev >/dev/null \
	        || true;; \
	esac

# the core, instrumented for libFuzzer
$(FUZZ_WORK)/obj/%.o: src/%.c $(CORE_HDRS) | $(BUILD)/.deps fuzz-check
	@mkdir -p $(@D)
	$(FUZZ_CC) -O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN) $(WARNINGS) \
	    -Isrc -c $< -o $@

$(FUZZ_WORK)/libconsent-fuzz.a: $(FUZZ_OBJS)
	$(AR) rcs $@ $^

$(FUZZ_WORK)/bin/%: t/fuzz/%.c t/fuzz/fuzz.h $(FUZZ_WORK)/libconsent-fuzz.a
	@mkdir -p $(@D)
	$(FUZZ_CC) -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) $(WARNINGS) \
	    $(FUZZ_DEFS) -Isrc -It/fuzz $< $(FUZZ_WORK)/libconsent-fuzz.a \
	    $(LIBS) -o $@

# the same harnesses without libFuzzer: cc, ASan and UBSan
$(FUZZ_WORK)/replay/%: t/fuzz/%.c t/fuzz/replay.c t/fuzz/fuzz.h \
	    $(BUILD)/libconsent-san.a
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) $(FUZZ_DEFS) -Isrc -It/fuzz \
	    $< t/fuzz/replay.c $(BUILD)/libconsent-san.a $(LIBS) -o $@

# each harness for FUZZ_TIME seconds; its new inputs go to
# build/fuzz/corpus/NAME, t/fuzz/corpus/NAME is read only
fuzz: fuzz-build
	@$(MAKE) --no-print-directory $(FUZZ_RUN:%=fuzz-run-%) \
	    || { $(MAKE) --no-print-directory fuzz-report; exit 1; }
	@$(MAKE) --no-print-directory fuzz-report

$(FUZZ_NAMES:%=fuzz-run-%): fuzz-run-%: $(FUZZ_WORK)/bin/%
	@mkdir -p $(FUZZ_WORK)/corpus/$* $(FUZZ_WORK)/crashes/$*
	@echo "fuzz $*: $(FUZZ_TIME) s"
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(FUZZ_WORK)/bin/$* -max_total_time=$(FUZZ_TIME) \
	    -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
	    -max_len=$(or $(FUZZ_LEN_$*),4096) \
	    $(if $(FUZZ_DICT_$*),-dict=$(FUZZ_DICT_$*)) \
	    -artifact_prefix=$(FUZZ_WORK)/crashes/$*/ $(FUZZ_FLAGS) \
	    $(FUZZ_WORK)/corpus/$* t/fuzz/corpus/$* \
	    > $(FUZZ_WORK)/$*.log 2>&1; \
	rc=$$?; \
	if [ $$rc != 0 ]; then \
	    echo "fuzz $*: FAILED (exit $$rc), see $(FUZZ_WORK)/$*.log:"; \
	    grep -E 'ERROR|property broken|SUMMARY|Test unit written' \
	        $(FUZZ_WORK)/$*.log | head -20; \
	    exit 1; \
	fi

# what make fuzz found that reaches new code joins the seeds of
# t/fuzz/corpus/NAME (libFuzzer -merge=1 keeps only those)
.PHONY: fuzz-merge
fuzz-merge: fuzz-build
	@for n in $(FUZZ_RUN); do \
	    [ -d $(FUZZ_WORK)/corpus/$$n ] || continue; \
	    before=$$(ls t/fuzz/corpus/$$n | wc -l); \
	    $(FUZZ_WORK)/bin/$$n -merge=1 \
	        t/fuzz/corpus/$$n $(FUZZ_WORK)/corpus/$$n \
	        > $(FUZZ_WORK)/$$n-merge.log 2>&1 || exit 1; \
	    echo "fuzz-merge $$n: $$before -> $$(ls t/fuzz/corpus/$$n | wc -l)"; \
	done

.PHONY: fuzz-report
fuzz-report:
	@for n in $(FUZZ_RUN); do \
	    log=$(FUZZ_WORK)/$$n.log; \
	    [ -f $$log ] || continue; \
	    execs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log \
	        | tail -1); \
	    time=$$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' \
	        $$log | tail -1); \
	    crashes=$$(ls $(FUZZ_WORK)/crashes/$$n 2>/dev/null | wc -l); \
	    printf 'fuzz %-8s %12s executions %6s s %3s crash(es)\n' $$n \
	        "$${execs:-?}" "$${time:-?}" $$crashes; \
	done

# valgrind: the unit tests and the replayed corpora built without ASan,
# then nginx under valgrind (Consent::Test reads CONSENT_VALGRIND).  A
# unit test fails here on a valgrind error (-q: its log is empty
# otherwise) or a failed test.  CONSENT_NO_TIMING=1 makes the unit
# tests skip their timing checks, which valgrind's slowness would fail

VG_CFLAGS     = -O1 -g $(WARNINGS)
VG_ENV        = CONSENT_NO_TIMING=1

$(BUILD)/vg/unit/%: t/unit/%.c t/unit/tap.h $(BUILD)/libconsent.a
	@mkdir -p $(@D)
	$(CC) $(VG_CFLAGS) -Isrc -It/unit $< $(BUILD)/libconsent.a \
	    $(LIBS) -o $@

$(BUILD)/vg/replay/%: t/fuzz/%.c t/fuzz/replay.c t/fuzz/fuzz.h \
	    $(BUILD)/libconsent.a
	@mkdir -p $(@D)
	$(CC) $(VG_CFLAGS) $(FUZZ_DEFS) -Isrc -It/fuzz \
	    $< t/fuzz/replay.c $(BUILD)/libconsent.a $(LIBS) -o $@

test-valgrind: test-valgrind-unit test-valgrind-nginx

test-valgrind-unit: all $(VG_UNITS) $(VG_REPLAY)
	@command -v $(VALGRIND) >/dev/null 2>&1 || $(MAKE) fuzz-deps
	@fail=0; \
	for b in $(VG_UNITS); do \
	    n=$$(basename $$b); log=$(BUILD)/vg/unit-$$n.log; \
	    $(VG_ENV) $(VALGRIND) $(VALGRIND_OPTS) --log-file=$$log.vg $$b \
	        > $$log 2>&1; \
	    rc=$$?; \
	    bad=$$(grep '^not ok' $$log); \
	    if [ $$rc = 99 ] || [ -s $$log.vg ] || [ -n "$$bad" ] \
	        || ! grep -q '^1\.\.' $$log; then \
	        echo "valgrind unit/$$n: FAILED, see $$log and $$log.vg"; \
	        echo "$$bad" | head -5; head -30 $$log.vg; fail=1; \
	    else \
	        echo "valgrind unit/$$n: ok ($$(grep -c '^ok' $$log) tests)"; \
	    fi; \
	done; \
	for b in $(VG_REPLAY); do \
	    n=$$(basename $$b); log=$(BUILD)/vg/replay-$$n.log; \
	    if $(VALGRIND) $(VALGRIND_OPTS) --log-file=$$log.vg $$b \
	        t/fuzz/corpus/$$n $$( [ -d t/fuzz/regress/$$n ] \
	        && echo t/fuzz/regress/$$n) > $$log 2>&1; then \
	        echo "valgrind fuzz/$$n: ok ($$(cat $$log))"; \
	    else \
	        echo "valgrind fuzz/$$n: FAILED, see $$log and $$log.vg"; \
	        head -30 $$log.vg; fail=1; \
	    fi; \
	done; \
	exit $$fail

test-valgrind-nginx: all
	@command -v $(VALGRIND) >/dev/null 2>&1 || $(MAKE) fuzz-deps
	@NGINX_BIN="$(NGINX_BIN)" CONSENT_BUILD="$(CURDIR)/$(BUILD)" \
	    $(VG_ENV) CONSENT_VALGRIND=1 \
	    CONSENT_TIMEOUT=$${CONSENT_TIMEOUT:-30} $(PROVE) $(VG_TESTS)
