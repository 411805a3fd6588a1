# make deb: the Debian packages (included by the top Makefile; uses its
# BUILD).  debian/ holds the packaging; the build runs on a copy of the
# sources in build/deb/ with dpkg-buildpackage, then lintian, and the
# packages are copied here:
#
#   make deb       libnginx-mod-http-consent_VERSION_ARCH.deb (the module
#                  for Debian's nginx) and consent-audit_VERSION_ARCH.deb
#                  (consent-audit, consent-filter, their manual pages);
#                  then: apt install ./libnginx-mod-http-consent_*.deb
#                  ./consent-audit_*.deb
#   make deb-deps  installs what building them needs (as root), or prints
#                  the apt-get line
#   make deb-lint  lintian again on the built packages
#   make deb DEB_OUT=DIR   copies the packages to DIR instead
#
# lintian fails the build on an error; the warnings kept are listed with
# their reasons in debian/lintian.md.

DEB_DIR     = $(BUILD)/deb
DEB_OUT    ?= .
DEB_SRC     = $(DEB_DIR)/src
# the Build-Depends of debian/control, the tools, lintian
DEB_DEPS    = debhelper dpkg-dev fakeroot lintian nginx-dev libjansson-dev \
              libpcre2-dev libssl-dev zlib1g-dev man-db
# what the package build reads
DEB_FILES   = LICENSE README.md Makefile config auto conf debian docs src

.PHONY: deb deb-deps deb-lint deb-clean

deb-deps:
	@missing=; \
	for p in $(DEB_DEPS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" != 0 ]; then \
	    echo "make deb needs Debian packages; run:" >&2; \
	    echo "  sudo apt-get install$$missing" >&2; \
	    exit 1; \
	fi; \
	echo "installing:$$missing"; \
	DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $$missing >/dev/null

deb: deb-deps
	@rm -rf $(DEB_DIR)
	@mkdir -p $(DEB_SRC)
	@cp -R $(DEB_FILES) $(DEB_SRC)/
	@rm -rf $(DEB_SRC)/debian/build
	@echo "make deb: dpkg-buildpackage in $(DEB_SRC)" \
	    "(log: $(DEB_DIR)/build.log)"
	@cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc \
	    > ../build.log 2>&1 \
	    || { tail -n 40 ../build.log; exit 1; }
	@$(MAKE) --no-print-directory deb-lint
	@cd $(DEB_OUT) && rm -f libnginx-mod-http-consent_*.deb \
	    consent-audit_*.deb
	@cp $(DEB_DIR)/libnginx-mod-http-consent_*.deb \
	    $(DEB_DIR)/consent-audit_*.deb $(DEB_OUT)/
	@cd $(DEB_OUT) && ls -1 libnginx-mod-http-consent_*.deb \
	    consent-audit_*.deb

deb-lint:
	@echo "make deb: lintian"
	@lintian --fail-on error --info --display-info $(DEB_DIR)/*.changes \
	    | tee $(DEB_DIR)/lintian.log

deb-clean:
	rm -rf $(DEB_DIR) libnginx-mod-http-consent_*.deb consent-audit_*.deb
