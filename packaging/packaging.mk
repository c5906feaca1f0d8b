# Debian packaging of ngx_http_usage_metering_module (included by the top
# Makefile with `-include packaging/packaging.mk`).
#
#   make deb        build build/deb/libnginx-mod-http-usage-metering_<v>_<arch>.deb
#                   with dpkg-buildpackage + dh-sequence-nginx (nginx-dev), from a
#                   copy of the source in build/deb/src; installs missing build
#                   dependencies with apt-get
#   make deb-test   build it if needed, check that its Depends names the
#                   exact nginx ABI (nginx-abi-*, the one the stock nginx
#                   Provides), dpkg -i it on the stock nginx, nginx -t
#                   (system config and nginx.conf.example with the installed
#                   paths), check the files, then dpkg -P it (CI: .ci/run)
#   make deb-clean  remove build/deb
#
# Defines no default goal and none of all/test/deps/clean.

UM_DEB_DIR     := $(CURDIR)/build/deb
UM_DEB_PKG     := libnginx-mod-http-usage-metering
# first line of debian/changelog: "<source> (<version>) ..."; the file name
# of a .deb leaves out the epoch
UM_DEB_VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null \
                          | sed 's/^[0-9]*://')
UM_DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null)
UM_DEB_FILE    := $(UM_DEB_DIR)/$(UM_DEB_PKG)_$(UM_DEB_VERSION)_$(UM_DEB_ARCH).deb

# everything that goes into the package build
UM_DEB_INPUTS  := $(wildcard config *.c src/*.c src/*.h mappings/* \
                  debian/* debian/source/* README.md nginx.conf.example \
                  packaging/build-deb.sh)

.PHONY: deb deb-test deb-clean

deb: $(UM_DEB_FILE)
	@echo "package: $(UM_DEB_FILE)"
	@dpkg-deb -f $(UM_DEB_FILE) Package Version Architecture Depends
	@dpkg-deb -c $(UM_DEB_FILE) | awk '{ print "  " $$NF }'

$(UM_DEB_FILE): $(UM_DEB_INPUTS)
	packaging/build-deb.sh $(UM_DEB_DIR)

deb-test: $(UM_DEB_FILE)
	packaging/deb-test.sh $(UM_DEB_FILE)

deb-clean:
	rm -rf $(UM_DEB_DIR)
