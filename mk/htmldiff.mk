# The scanner against a reference build of itself (t/htmldiff/, run by
# t/htmldiff.t; included by the top Makefile, uses its BUILD, CC, CFLAGS,
# WARNINGS, LIBS, CORE_HDRS):
#
#   build/htmldiff          against the same scanner (src/consent_html*)
#                           built with -DCONSENT_NO_SIMD (the
#                           byte-by-byte walk): made by make all, run by
#                           make test
#   make htmldiff-ref HTMLDIFF_REF=main
#                           build/htmldiff-ref, against the scanner of
#                           another commit (git show), for a change
#                           meant to keep the output: t/htmldiff.t runs
#                           it when it exists
#
# The reference's names are renamed consent_htmlref_* (its files too:
# consent_html*.c and .h, the scanner's private header included) so that
# both link into one program.

HTMLDIFF_DIR   = $(BUILD)/htmldiff.d
HTMLDIFF_SRCS  = t/htmldiff/main.c t/htmldiff/run.c t/htmldiff/htmldiff.h
HTMLDIFF_SED   = sed -e 's/consent_html/consent_htmlref/g' \
                     -e 's/CONSENT_HTML/CONSENT_HTMLREF/g'
HTMLDIFF_REF  ?= main

# the scanner's files, renamed for the reference without SIMD
HTMLDIFF_NS    = $(HTMLDIFF_DIR)/nosimd
HTMLDIFF_SCAN  = $(wildcard src/consent_html*.c src/consent_html*.h)
HTMLDIFF_NOSIMD = $(addprefix $(HTMLDIFF_NS)/, \
                      $(subst consent_html,consent_htmlref,$(notdir $(HTMLDIFF_SCAN))))
HTMLDIFF_NOSIMD_O = $(patsubst %.c,%.o,$(filter %.c,$(HTMLDIFF_NOSIMD)))

.PHONY: htmldiff htmldiff-ref

all: htmldiff

htmldiff: $(BUILD)/htmldiff

# the reference of make test: this scanner without SIMD
$(HTMLDIFF_NS)/consent_htmlref%: src/consent_html%
	@mkdir -p $(@D)
	$(HTMLDIFF_SED) $< > $@

$(HTMLDIFF_DIR)/%/run.c: t/htmldiff/run.c
	@mkdir -p $(@D)
	$(HTMLDIFF_SED) t/htmldiff/run.c > $@

$(BUILD)/htmldiff: $(HTMLDIFF_SRCS) $(HTMLDIFF_NOSIMD) \
	    $(HTMLDIFF_DIR)/nosimd/run.c $(BUILD)/libconsent.a
	for f in $(filter %.c,$(HTMLDIFF_NOSIMD)); do \
	    $(CC) $(CFLAGS) $(WARNINGS) -DCONSENT_NO_SIMD -Isrc \
	        -c $$f -o $${f%.c}.o || exit 1; \
	done
	$(CC) $(CFLAGS) $(WARNINGS) -I$(HTMLDIFF_DIR)/nosimd -Isrc -It/htmldiff \
	    -c $(HTMLDIFF_DIR)/nosimd/run.c -o $(HTMLDIFF_DIR)/nosimd/run.o
	$(CC) $(CFLAGS) $(WARNINGS) -Isrc -It/htmldiff t/htmldiff/main.c \
	    t/htmldiff/run.c $(HTMLDIFF_NOSIMD_O) \
	    $(HTMLDIFF_DIR)/nosimd/run.o $(BUILD)/libconsent.a $(LIBS) -o $@

# the reference of make htmldiff-ref: another commit's scanner, its
# src/consent_html* files whichever they are at that commit
htmldiff-ref: $(HTMLDIFF_SRCS) $(HTMLDIFF_DIR)/ref/run.c $(BUILD)/libconsent.a
	@mkdir -p $(HTMLDIFF_DIR)/ref
	rm -f $(HTMLDIFF_DIR)/ref/consent_htmlref*
	for f in $$(git ls-tree --name-only $(HTMLDIFF_REF) src/ \
	            | grep '^src/consent_html'); do \
	    git show $(HTMLDIFF_REF):$$f | $(HTMLDIFF_SED) \
	        > $(HTMLDIFF_DIR)/ref/$$(basename $$f | $(HTMLDIFF_SED)) \
	        || exit 1; \
	done
	for f in $(HTMLDIFF_DIR)/ref/consent_htmlref*.c; do \
	    $(CC) $(CFLAGS) $(WARNINGS) -I$(HTMLDIFF_DIR)/ref -Isrc \
	        -c $$f -o $${f%.c}.o || exit 1; \
	done
	$(CC) $(CFLAGS) $(WARNINGS) -I$(HTMLDIFF_DIR)/ref -Isrc -It/htmldiff \
	    -c $(HTMLDIFF_DIR)/ref/run.c -o $(HTMLDIFF_DIR)/ref/run.o
	$(CC) $(CFLAGS) $(WARNINGS) -Isrc -It/htmldiff t/htmldiff/main.c \
	    t/htmldiff/run.c $(HTMLDIFF_DIR)/ref/consent_htmlref*.o \
	    $(HTMLDIFF_DIR)/ref/run.o $(BUILD)/libconsent.a $(LIBS) \
	    -o $(BUILD)/htmldiff-ref
	@echo "$(HTMLDIFF_REF)" > $(BUILD)/htmldiff-ref.rev

# the scanner's instructions a page (bench/scan-callgrind.sh): the figure
# to decide a change to the scanner by, beside make bench-micro's times
.PHONY: bench-scan-callgrind

bench-scan-callgrind: $(BUILD)/consent-bench
	@mkdir -p $(BUILD)/bench/html
	@python3 bench/gen-pages.py $(BUILD)/bench/html
	@BUILD="$(BUILD)" sh bench/scan-callgrind.sh
