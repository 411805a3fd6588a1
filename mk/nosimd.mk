# The scanner's portable path (included by the top Makefile; uses its
# BUILD, CC, AR, SANITIZE, WARNINGS, LIBS, CORE_HDRS): the unit tests that
# run it, linked against the sanitizers' core library with consent_html.c
# built -DCONSENT_NO_SIMD (as on a processor without SSE2).
#
#   make test-unit-nosimd   builds and runs them (make test runs them too,
#                           t/nosimd.t)

NOSIMD_DIR    = $(BUILD)/nosimd
NOSIMD_UNITS  = html html5lib walk hosts
NOSIMD_BINS   = $(NOSIMD_UNITS:%=$(NOSIMD_DIR)/unit/%)

.PHONY: nosimd test-unit-nosimd

all: nosimd

nosimd: $(NOSIMD_BINS)

$(NOSIMD_DIR)/consent_html.o: src/consent_html.c $(CORE_HDRS) | $(BUILD)/.deps
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) -DCONSENT_NO_SIMD -Isrc -c $< -o $@

# the sanitizers' library with its consent_html.o replaced
$(NOSIMD_DIR)/libconsent-san.a: $(BUILD)/libconsent-san.a \
	    $(NOSIMD_DIR)/consent_html.o
	cp $(BUILD)/libconsent-san.a $@.tmp
	$(AR) rs $@.tmp $(NOSIMD_DIR)/consent_html.o
	mv -f $@.tmp $@

$(NOSIMD_DIR)/unit/%: t/unit/%.c t/unit/tap.h $(NOSIMD_DIR)/libconsent-san.a
	@mkdir -p $(@D)
	$(CC) -O1 -g $(SANITIZE) $(WARNINGS) -DCONSENT_NO_SIMD -Isrc -It/unit \
	    $< $(NOSIMD_DIR)/libconsent-san.a $(LIBS) -o $@

test-unit-nosimd: $(NOSIMD_BINS)
	@CONSENT_BUILD="$(CURDIR)/$(NOSIMD_DIR)" $(PROVE) \
	    $(NOSIMD_UNITS:%=t/unit/%.t)
