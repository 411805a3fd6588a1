# The browser tests and the screenshots (included by the top Makefile;
# uses its BUILD, NGINX_BIN, PROVE).
#
#   make test-browser   only the browser tests, t/browser/*.t (make test
#                       runs them too): Debian's Chromium (/usr/bin/chromium)
#                       driven by playwright-core, against nginx with the
#                       module; CONSENT_SKIP_BROWSER=1 skips them
#   make screenshots    docs/img/banner-{light,dark}.png and
#                       docs/img/layer2-{light,dark}.png: the banner's
#                       first and second layer on the demo page
#
# playwright-core never downloads a browser; this makes sure no other
# package of the npm tree tries to either
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = 1

SCREENSHOT_DIR ?= docs/img

.PHONY: test-browser screenshots

test-browser: module node_modules/.package-lock.json
	@NGINX_BIN="$(NGINX_BIN)" CONSENT_BUILD="$(CURDIR)/$(BUILD)" \
	    $(PROVE) t/browser/

screenshots: module node_modules/.package-lock.json
	@NGINX_BIN="$(NGINX_BIN)" CONSENT_BUILD="$(CURDIR)/$(BUILD)" \
	    CONSENT_SCREENSHOT_DIR="$(CURDIR)/$(SCREENSHOT_DIR)" \
	    perl t/browser/screenshots.pl
