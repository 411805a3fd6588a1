# make matrix: the module against every maintained nginx (included by the
# top Makefile; uses its BUILD, PROVE, MODULE, AUDIT, FILTER).
#
#   make matrix           for each upstream source of MATRIX_SRC
#                         (../shared/nginx-src/nginx-X.Y.Z.tar.gz, offline),
#                         nginx itself and the module (dynamic, with
#                         --with-compat) are built in build/matrix/X.Y.Z/,
#                         and the integration suite (t/*.t) runs against
#                         that nginx; Debian's nginx (1.22.1) with the
#                         normal build too; then a table: version, build,
#                         tests passed and failed
#   make matrix MATRIX_VERSIONS="1.30.4"      some versions only
#   make matrix MATRIX_DEBIAN=0               without Debian's nginx
#   make matrix MATRIX_BROWSER=1              also the browser tests
#                         (t/browser/) against the newest stable
#                         (MATRIX_STABLE); MATRIX_BROWSER=all: every version
#   make matrix-static    nginx MATRIX_STATIC_VERSION (1.30.4) with the
#                         module built in (--add-module): the filter's
#                         place in objs/ngx_modules.c, then the suite
#
# Each version's logs: build/matrix/X.Y.Z/{build,prove}.log.  The suite's
# unit and tool binaries (every one of TOOLS in the Makefile) are the
# main build's: build/matrix/X.Y.Z/ links to them, and is CONSENT_BUILD.

MATRIX_SRC     ?= $(abspath $(CURDIR)/../shared/nginx-src)
MATRIX_DIR      = $(BUILD)/matrix
MATRIX_ALL      = $(sort $(patsubst nginx-%.tar.gz,%,\
                      $(notdir $(wildcard $(MATRIX_SRC)/nginx-*.tar.gz))))
MATRIX_VERSIONS ?= $(MATRIX_ALL)
# the newest stable branch: an even minor version
MATRIX_STABLE  ?= $(lastword $(shell printf '%s\n' $(MATRIX_ALL) \
                      | awk -F. '$$2 % 2 == 0' | sort -V))
MATRIX_DEBIAN  ?= 1
MATRIX_BROWSER ?= 0
# t/deb.t tests the Debian package on Debian's nginx, not NGINX_BIN;
# t/nosimd.t, t/htmldiff.t and t/bench-floor.t test the core's scanner
# alone (their own builds under build/, no nginx), as t/unit/ does,
# which is not run here
MATRIX_TESTS   ?= $(filter-out t/deb.t t/nosimd.t t/htmldiff.t \
                      t/bench-floor.t,\
                      $(sort $(wildcard t/*.t)))
MATRIX_STATIC_VERSION ?= 1.30.4

# the modules the suite uses beyond nginx's defaults (ssi, proxy, map,
# charset, gzip are built by default); HTTP/2 for t/reload.t and
# t/deploy-chain.t; no ssl: no test needs it
MATRIX_MODULES  = --with-http_sub_module --with-http_addition_module \
                  --with-http_gunzip_module --with-http_gzip_static_module \
                  --with-http_v2_module

MATRIX_SRCS     = $(CORE_SRCS) $(CORE_HDRS) $(ADAPTER) config

.PHONY: matrix matrix-static matrix-report matrix-clean matrix-check-src \
        $(addprefix matrix-run-,$(MATRIX_ALL) debian) \
        $(addprefix matrix-build-,$(MATRIX_ALL))

matrix: all node_modules/.package-lock.json matrix-check-src
	@mkdir -p $(MATRIX_DIR)
	@rm -f $(MATRIX_DIR)/*/result $(MATRIX_DIR)/*/build-time
	@$(if $(filter 1,$(MATRIX_DEBIAN)),$(MAKE) --no-print-directory \
	    matrix-run-debian || true;)
	@for v in $(MATRIX_VERSIONS); do \
	    $(MAKE) --no-print-directory matrix-run-$$v || true; \
	done
	@$(MAKE) --no-print-directory matrix-report \
	    MATRIX_ROWS="$(if $(filter 1,$(MATRIX_DEBIAN)),debian) \
	        $(MATRIX_VERSIONS)"

matrix-check-src:
	@[ -n "$(MATRIX_ALL)" ] || { \
	    echo "no nginx-X.Y.Z.tar.gz in $(MATRIX_SRC) (set MATRIX_SRC)" >&2; \
	    exit 1; }

# browser tests for this version?
matrix_browser = $(if $(or $(filter all,$(MATRIX_BROWSER)),$(and \
                     $(filter 1,$(MATRIX_BROWSER)),\
                     $(filter $(MATRIX_STABLE),$(1)))),1)

# the suite against one nginx: set nginx, build (CONSENT_BUILD), env
# (more environment), browser (1: t/browser/ too), dir and name first.
# Its result file holds "name build tests passed failed bad-files seconds"
matrix_prove = \
	start=$$(date +%s); \
	browser_tests=; \
	[ "$$browser" != 1 ] || browser_tests="$(sort $(wildcard t/browser/*.t))"; \
	env NGINX_BIN="$$nginx" CONSENT_BUILD="$$build" $$env \
	    $(PROVE) $(MATRIX_TESTS) $$browser_tests > $$dir/prove.log 2>&1; \
	rc=$$?; \
	secs=$$(( $$(date +%s) - start )); \
	tests=$$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' \
	    $$dir/prove.log); \
	tests=$${tests:-0}; \
	failed=$$(sed -n 's/.*Tests: [0-9]* Failed: \([0-9]*\)).*/\1/p' \
	    $$dir/prove.log | awk '{ n += $$1 } END { print n + 0 }'); \
	bad=$$(grep -c '^t/.*(Wstat: ' $$dir/prove.log); \
	[ "$$rc" = 0 ] || [ "$$bad" != 0 ] || bad=1; \
	echo "$$name ok $$tests $$((tests - failed)) $$failed $$bad $$secs" \
	    > $$dir/result; \
	grep -E '^(t/.*Wstat|  Failed tests?:)' $$dir/prove.log || true; \
	exit $$rc

matrix-run-debian:
	@mkdir -p $(MATRIX_DIR)/debian
	@v=$$(/usr/sbin/nginx -v 2>&1 | sed 's|.*/||'); \
	echo "matrix: nginx $$v (Debian): the suite"; \
	nginx=/usr/sbin/nginx; build="$(CURDIR)/$(BUILD)"; env=; \
	browser=$(call matrix_browser,debian); dir=$(MATRIX_DIR)/debian; \
	name=$$v-debian; \
	$(matrix_prove)

$(addprefix matrix-run-,$(MATRIX_ALL)): matrix-run-%: matrix-build-%
	@echo "matrix: nginx $*: the suite"
	@nginx="$(CURDIR)/$(MATRIX_DIR)/$*/nginx"; \
	build="$(CURDIR)/$(MATRIX_DIR)/$*"; env=; \
	browser=$(call matrix_browser,$*); dir=$(MATRIX_DIR)/$*; name=$*; \
	$(matrix_prove)

# a failed build still leaves a row
$(addprefix matrix-build-,$(MATRIX_ALL)): matrix-build-%: all
	@mkdir -p $(MATRIX_DIR)/$*
	@echo "matrix: nginx $*: build (log: $(MATRIX_DIR)/$*/build.log)"
	@start=$$(date +%s); \
	if ! $(MAKE) --no-print-directory $(MATRIX_DIR)/$*/nginx \
	    > $(MATRIX_DIR)/$*/build.log 2>&1; then \
	    tail -n 30 $(MATRIX_DIR)/$*/build.log; \
	    echo "$* FAILED - - - - -" > $(MATRIX_DIR)/$*/result; \
	    exit 1; \
	fi; \
	echo $$(( $$(date +%s) - start )) > $(MATRIX_DIR)/$*/build-time

# the source tree, extracted from its tarball
$(MATRIX_DIR)/%/src/.done: $(MATRIX_SRC)/nginx-%.tar.gz
	rm -rf $(@D)
	mkdir -p $(@D)
	tar -xzf $< -C $(@D) --strip-components=1
	touch $@

# configured as a copy of src/ (auto/configure-nginx), dynamic module
$(MATRIX_DIR)/%/tree/objs/Makefile: $(MATRIX_DIR)/%/src/.done config \
	    auto/configure-nginx
	NGINX_SRC="$(CURDIR)/$(MATRIX_DIR)/$*/src" \
	    NGX_TREE="$(CURDIR)/$(MATRIX_DIR)/$*/tree" ADDON="$(CURDIR)" \
	    NGX_EXTRA_FLAGS="$(strip $(MATRIX_MODULES))" \
	    sh auto/configure-nginx

# nginx and the module; the tools are the main build's
$(MATRIX_DIR)/%/nginx: $(MATRIX_DIR)/%/tree/objs/Makefile $(MATRIX_SRCS) \
	    $(TOOLS)
	$(MAKE) -C $(MATRIX_DIR)/$*/tree -f objs/Makefile
	cp $(MATRIX_DIR)/$*/tree/objs/ngx_http_consent_module.so $(@D)/
	ln -sf $(addprefix $(CURDIR)/,$(TOOLS)) $(@D)/
	cp $(MATRIX_DIR)/$*/tree/objs/nginx $@.tmp && mv -f $@.tmp $@

# the static build: the module in the binary, placed in the filter chain
# by config (right before the postpone filter)
MATRIX_SV       = $(MATRIX_STATIC_VERSION)
MATRIX_SDIR     = $(MATRIX_DIR)/$(MATRIX_SV)-static

matrix-static: all node_modules/.package-lock.json matrix-check-src
	@mkdir -p $(MATRIX_SDIR)
	@echo "matrix: nginx $(MATRIX_SV), static: build" \
	    "(log: $(MATRIX_SDIR)/build.log)"
	@start=$$(date +%s); \
	if ! $(MAKE) --no-print-directory $(MATRIX_SDIR)/nginx \
	    > $(MATRIX_SDIR)/build.log 2>&1; then \
	    tail -n 30 $(MATRIX_SDIR)/build.log; \
	    echo "$(MATRIX_SV)-static FAILED - - - - -" \
	        > $(MATRIX_SDIR)/result; \
	    exit 1; \
	fi; \
	echo $$(( $$(date +%s) - start )) > $(MATRIX_SDIR)/build-time
	@order=$$(grep -o '&ngx_http_[a-z0-9_]*_module,' \
	    $(MATRIX_SDIR)/tree/objs/ngx_modules.c | tr -d '&,' \
	    | grep -A1 -x ngx_http_consent_module | tr '\n' ' '); \
	if [ "$$order" != "ngx_http_consent_module \
	ngx_http_postpone_filter_module " ]; then \
	    echo "matrix-static: ngx_http_consent_module is not right before" \
	        "ngx_http_postpone_filter_module in objs/ngx_modules.c" >&2; \
	    echo "$(MATRIX_SV)-static order! - - - - -" \
	        > $(MATRIX_SDIR)/result; \
	    exit 1; \
	fi; \
	echo "matrix: nginx $(MATRIX_SV), static: $$order(objs/ngx_modules.c)"
	@echo "matrix: nginx $(MATRIX_SV), static: the suite"
	@nginx="$(CURDIR)/$(MATRIX_SDIR)/nginx"; \
	build="$(CURDIR)/$(MATRIX_SDIR)"; env=CONSENT_STATIC=1; browser=; \
	dir=$(MATRIX_SDIR); name=$(MATRIX_SV)-static; \
	( $(matrix_prove) ); rc=$$?; \
	$(MAKE) --no-print-directory matrix-report \
	    MATRIX_ROWS="$(MATRIX_SV)-static"; exit $$rc

$(MATRIX_SDIR)/tree/objs/Makefile: $(MATRIX_DIR)/$(MATRIX_SV)/src/.done \
	    config auto/configure-nginx
	NGINX_SRC="$(CURDIR)/$(MATRIX_DIR)/$(MATRIX_SV)/src" \
	    NGX_TREE="$(CURDIR)/$(MATRIX_SDIR)/tree" ADDON="$(CURDIR)" \
	    NGX_ADDON_LINK=static \
	    NGX_EXTRA_FLAGS="$(strip $(MATRIX_MODULES))" \
	    sh auto/configure-nginx

$(MATRIX_SDIR)/nginx: $(MATRIX_SDIR)/tree/objs/Makefile $(MATRIX_SRCS) \
	    $(TOOLS)
	$(MAKE) -C $(MATRIX_SDIR)/tree -f objs/Makefile
	ln -sf $(addprefix $(CURDIR)/,$(TOOLS)) $(@D)/
	cp $(MATRIX_SDIR)/tree/objs/nginx $@.tmp && mv -f $@.tmp $@

# the table, and a closing line "matrix: N passed, N failed" (tests of
# every row; a failed file counts one); exits non-zero unless every row
# built and passed
matrix-report:
	@printf '\n%-16s %-7s %6s %6s %6s %9s %6s %6s\n' nginx build tests \
	    passed failed bad-files build suite; \
	fail=0; passed=0; failed=0; \
	for r in $(MATRIX_ROWS); do \
	    f=$(MATRIX_DIR)/$$r/result; \
	    if [ ! -f $$f ]; then \
	        printf '%-16s %-7s\n' $$r "not run"; fail=1; continue; \
	    fi; \
	    read -r v b t p x n s < $$f; \
	    bt=-; [ ! -f $(MATRIX_DIR)/$$r/build-time ] \
	        || bt=$$(cat $(MATRIX_DIR)/$$r/build-time)s; \
	    printf '%-16s %-7s %6s %6s %6s %9s %6s %5ss\n' "$$v" "$$b" "$$t" \
	        "$$p" "$$x" "$$n" "$$bt" "$$s"; \
	    [ "$$b" = ok ] && [ "$$x" = 0 ] && [ "$$n" = 0 ] || fail=1; \
	    [ "$$b" != ok ] || { passed=$$((passed + p)); \
	        failed=$$((failed + x + n)); }; \
	done; \
	echo; \
	if [ $$fail = 0 ]; then echo "matrix: every version built and passed"; \
	else echo "matrix: FAILED (logs: $(MATRIX_DIR)/VERSION/)"; fi; \
	echo "matrix: $$passed passed, $$failed failed"; \
	exit $$fail

matrix-clean:
	rm -rf $(MATRIX_DIR)
