# ngx_http_consent_module
#
#   make              the module (build/ngx_http_consent_module.so), the
#                     core library and its unit tests, the auditor's tool
#                     (build/consent-audit)
#   make test         every test (prove), with a summary line
#   make demo         the demo site on http://127.0.0.1:8080
#   make deps         install missing Debian packages (as root)
#   make clean
#
#   NGINX_SRC=/path/to/nginx-1.x.y builds against a full nginx source
#   tree instead of Debian's nginx-dev tree.

BUILD      ?= build
NGINX_SRC  ?= /usr/share/nginx/src
NGINX_BIN  ?= /usr/sbin/nginx
CC         ?= cc
CFLAGS     ?= -O2 -g
WARNINGS    = -Wall -Wextra -Werror -Wno-unused-parameter
SANITIZE    = -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
LIBS        = -ljansson -lcrypto -lz
PROVE      ?= prove

CORE_SRCS   = $(wildcard src/consent_*.c)
CORE_HDRS   = $(wildcard src/consent_*.h)
CORE_OBJS   = $(CORE_SRCS:src/%.c=$(BUILD)/core/%.o)
SAN_OBJS    = $(CORE_SRCS:src/%.c=$(BUILD)/san/%.o)
UNIT_SRCS   = $(wildcard t/unit/*.c)
UNIT_BINS   = $(UNIT_SRCS:t/unit/%.c=$(BUILD)/unit/%)
ADAPTER     = $(wildcard src/ngx_http_consent_*.c src/ngx_http_consent_*.h)

NGX_TREE    = $(BUILD)/nginx
MODULE      = $(BUILD)/ngx_http_consent_module.so
AUDIT       = $(BUILD)/consent-audit
FILTER      = $(BUILD)/consent-filter
GPP         = $(BUILD)/consent-gpp
TCF         = $(BUILD)/consent-tcf
URLTOOL     = $(BUILD)/consent-url
# every tool: the nginx matrix links them beside each version's module
TOOLS       = $(AUDIT) $(FILTER) $(GPP) $(TCF) $(URLTOOL)

.PHONY: all core unit module audit filter gpp tcf urltool test demo deps \
        clean

all: $(BUILD)/.deps core unit module audit filter gpp tcf urltool

core: $(BUILD)/libconsent.a

unit: $(UNIT_BINS)

module: $(MODULE)

audit: $(AUDIT)

filter: $(FILTER)

gpp: $(GPP)

tcf: $(TCF)

urltool: $(URLTOOL)

$(BUILD)/.deps: auto/deps
	@mkdir -p $(BUILD)
	@NGINX_SRC="$(NGINX_SRC)" sh auto/deps
	@touch $@

$(BUILD)/core/%.o: src/%.c $(CORE_HDRS) | $(BUILD)/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARNINGS) -fPIC -Isrc -c $< -o $@

$(BUILD)/san/%.o: src/%.c $(CORE_HDRS) | $(BUILD)/.deps
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) -Isrc -c $< -o $@

$(BUILD)/libconsent.a: $(CORE_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/libconsent-san.a: $(SAN_OBJS)
	$(AR) rcs $@ $^

$(BUILD)/unit/%: t/unit/%.c t/unit/tap.h $(BUILD)/libconsent-san.a
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) -Isrc -It/unit $< \
	    $(BUILD)/libconsent-san.a $(LIBS) -o $@

# consent-audit's time parser, with its unit test (not in the core)
$(BUILD)/unit/audit-time: t/unit/audit-time.c src/tools/audit/time.c \
	    $(wildcard src/tools/audit/*.h) t/unit/tap.h $(BUILD)/libconsent-san.a
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) -Isrc -It/unit $< \
	    src/tools/audit/time.c $(BUILD)/libconsent-san.a $(LIBS) -o $@

# the auditor's tool
AUDIT_SRCS  = src/tools/consent-audit.c src/tools/consent-audit-compare.c \
              src/tools/consent-keygen.c src/tools/consent-audit-cookies.c \
              $(wildcard src/tools/audit/*.c)

$(AUDIT): $(AUDIT_SRCS) src/tools/consent-audit-compare.h \
	    src/tools/consent-keygen.h src/tools/consent-audit-cookies.h \
	    $(wildcard src/tools/audit/*.h) \
	    $(BUILD)/libconsent.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -Isrc $(AUDIT_SRCS) \
	    $(BUILD)/libconsent.a $(LDFLAGS) $(LIBS) -o $@

# the filter on a file, outside nginx
$(FILTER): src/tools/consent-filter.c $(BUILD)/libconsent.a
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -Isrc src/tools/consent-filter.c \
	    $(BUILD)/libconsent.a $(LDFLAGS) $(LIBS) -o $@

# GPP strings on the command line, for t/gpp-differential.t
$(GPP): src/tools/consent-gpp.c $(BUILD)/libconsent.a
	$(CC) $(CFLAGS) $(WARNINGS) -Isrc src/tools/consent-gpp.c \
	    $(BUILD)/libconsent.a $(LIBS) -o $@

# TC strings on the command line, for t/tcf-differential.t
$(TCF): src/tools/consent-tcf.c $(BUILD)/libconsent.a
	$(CC) $(CFLAGS) $(WARNINGS) -Isrc src/tools/consent-tcf.c \
	    $(BUILD)/libconsent.a $(LIBS) -o $@

# the URL parser on the command line, for t/url-differential.t
$(URLTOOL): src/tools/consent-url.c $(BUILD)/libconsent-san.a
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) -Isrc src/tools/consent-url.c \
	    $(BUILD)/libconsent-san.a $(LIBS) -o $@

# the UTS #46 table of the URL parser, from Node and Chromium; the
# output is committed, and regenerated only on request
.PHONY: idna-table
idna-table:
	node auto/idna-table > src/consent_idna.c.tmp
	mv -f src/consent_idna.c.tmp src/consent_idna.c

# the banner's script and stylesheet, embedded in the module; the output
# is committed so that a build from the addon alone needs no generator
src/consent_assets.c: src/assets/banner.js src/assets/banner.css \
    src/assets/gpp.js src/assets/tcfapi.js auto/embed
	sh auto/embed src/assets/banner.js src/assets/banner.css \
	    src/assets/gpp.js src/assets/tcfapi.js > $@.tmp
	mv -f $@.tmp $@

# config lists the sources by pattern when nginx is configured: a file
# added or removed configures it again
$(BUILD)/.sources: FORCE
	@mkdir -p $(BUILD)
	@echo '$(sort $(CORE_SRCS) $(CORE_HDRS) $(ADAPTER))' \
	    | cmp -s - $@ 2>/dev/null \
	    || echo '$(sort $(CORE_SRCS) $(CORE_HDRS) $(ADAPTER))' > $@

.PHONY: FORCE
FORCE:

# nginx's tree is copied into build/ and configured there once, with
# Debian's own flags when it is Debian's nginx-dev tree; changes to the
# module's sources then only rebuild the module
$(NGX_TREE)/objs/Makefile: config auto/configure-nginx $(BUILD)/.sources \
	    | $(BUILD)/.deps
	@NGINX_SRC="$(NGINX_SRC)" NGX_TREE="$(NGX_TREE)" \
	    ADDON="$(CURDIR)" sh auto/configure-nginx

$(MODULE): $(NGX_TREE)/objs/Makefile $(CORE_SRCS) $(CORE_HDRS) $(ADAPTER)
	$(MAKE) -C $(NGX_TREE) -f objs/Makefile modules
	cp $(NGX_TREE)/objs/ngx_http_consent_module.so $@.tmp && mv -f $@.tmp $@

# parse5, the HTML parser the differential test compares the filter with
node_modules/.package-lock.json: package.json package-lock.json | $(BUILD)/.deps
	npm ci --no-audit --no-fund

test: all node_modules/.package-lock.json
	@NGINX_BIN="$(NGINX_BIN)" CONSENT_BUILD="$(CURDIR)/$(BUILD)" \
	    $(PROVE) -r t/

demo: all
	@NGINX_BIN="$(NGINX_BIN)" BUILD="$(BUILD)" sh conf/demo.sh

deps:
	@NGINX_SRC="$(NGINX_SRC)" sh auto/deps

clean:
	rm -rf $(BUILD)

# make bench (mk/bench.mk), make fuzz and make test-valgrind (mk/fuzz.mk)
-include $(wildcard mk/*.mk)
