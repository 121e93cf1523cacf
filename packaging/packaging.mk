# Packaging targets, included by the Makefile: the Debian package (nfpm, as a
# Go tool pinned in packaging/tools/go.mod, outside the main module), the
# Windows cross-build (mingw-w64) and their tests.

PKG_DIST := dist
PKG_BUILD := $(PKG_DIST)/build
# Debian version: 0.1.0~gitN.HASH (N = commit count, so it grows). Override
# with PKG_VERSION=...; the upgrade test builds PKG_VERSION+1.
PKG_VERSION ?= 0.1.0~git$(shell git rev-list --count HEAD 2>/dev/null || echo 0).$(shell git rev-parse --short HEAD 2>/dev/null || echo local)
PKG_VERSION := $(PKG_VERSION)
PKG_ARCH := $(shell $(GO) env GOARCH)
PKG_LDFLAGS := -s -w -X main.version=$(PKG_VERSION)
NFPM := $(PKG_BUILD)/nfpm
DEB := $(PKG_DIST)/kiosk_$(PKG_VERSION)_$(PKG_ARCH).deb

.PHONY: package
package: deps-run ## build the Debian package dist/kiosk_VERSION_ARCH.deb (nfpm)
	@$(MAKE) --no-print-directory $(DEB)
	@ls -l $(DEB)

# The .deb, rebuilt every time (its inputs are the whole tree).
.PHONY: $(DEB)
$(DEB): $(NFPM)
	@mkdir -p $(PKG_BUILD)/$(PKG_VERSION)
	CGO_ENABLED=0 $(GO) build -trimpath -buildmode=pie -ldflags "$(PKG_LDFLAGS)" \
		-o $(PKG_BUILD)/$(PKG_VERSION)/kiosk .
	CGO_ENABLED=1 $(GO) build -tags webview -trimpath -buildmode=pie -ldflags "$(PKG_LDFLAGS)" \
		-o $(PKG_BUILD)/$(PKG_VERSION)/kiosk-browser ./cmd/kiosk-browser
	sed -e 's/VERSION/$(PKG_VERSION)/' -e "s/DATE/$$(date -R -u -d @$$(git log -1 --format=%ct 2>/dev/null || date +%s))/" \
		packaging/doc/changelog.Debian | gzip -9n >$(PKG_BUILD)/$(PKG_VERSION)/changelog.gz
	gzip -9n <packaging/doc/kiosk.1 >$(PKG_BUILD)/$(PKG_VERSION)/kiosk.1.gz
	sed -e 's|$${KIOSK_VERSION}|$(PKG_VERSION)|g' -e 's|$${KIOSK_ARCH}|$(PKG_ARCH)|g' \
		-e 's|$${KIOSK_BIN}|$(PKG_BUILD)/$(PKG_VERSION)/kiosk|g' -e 's|$${KIOSK_BUILD}|$(PKG_BUILD)/$(PKG_VERSION)|g' \
		packaging/nfpm.yaml >$(PKG_BUILD)/$(PKG_VERSION)/nfpm.yaml
	$(NFPM) package --config $(PKG_BUILD)/$(PKG_VERSION)/nfpm.yaml --packager deb --target $@

# nfpm from its own module: the main go.mod never sees its dependencies.
$(NFPM): packaging/tools/go.mod packaging/tools/go.sum
	@mkdir -p $(PKG_BUILD)
	cd packaging/tools && $(GO) build -o $(abspath $(NFPM)) github.com/goreleaser/nfpm/v2/cmd/nfpm

# Windows: kiosk.exe (console: service, allowlist, admin commands),
# kiosk-shell.exe (the same pure-Go program linked as a GUI app, so that the
# shell's supervisor opens no console window) and kiosk-browser.exe (the
# browser process, WebView2, the only cgo program; GUI) next to it
# (docs/windows.md). mingw's header is eventtoken.h; WebView2.h asks for
# EventToken.h, hence the one-line forwarding header (design.md §7).
PKG_WIN := $(PKG_DIST)/windows
PKG_WIN_INC := $(PKG_BUILD)/mingw-include
PKG_WIN_ENV := CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
	CGO_CXXFLAGS="-I$(abspath $(PKG_WIN_INC))" CGO_CFLAGS="-I$(abspath $(PKG_WIN_INC))"

.PHONY: windows
windows: ## cross-build dist/windows/kiosk.exe, kiosk-shell.exe (pure Go) and kiosk-browser.exe (webview, mingw-w64)
	@command -v x86_64-w64-mingw32-g++ >/dev/null || { echo "mingw-w64 missing: scripts/deps.sh test installs it" >&2; exit 1; }
	@mkdir -p $(PKG_WIN) $(PKG_WIN_INC)
	echo '#include <eventtoken.h>' >$(PKG_WIN_INC)/EventToken.h
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(PKG_LDFLAGS)" -o $(PKG_WIN)/kiosk.exe .
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(PKG_LDFLAGS) -H windowsgui" -o $(PKG_WIN)/kiosk-shell.exe .
	$(PKG_WIN_ENV) $(GO) build -tags webview -trimpath -ldflags "$(PKG_LDFLAGS) -H windowsgui" -o $(PKG_WIN)/kiosk-browser.exe ./cmd/kiosk-browser
	cp packaging/windows/*.ps1 allowlist.yaml $(PKG_WIN)/
	@ls -l $(PKG_WIN)

.PHONY: windows-nocgo
windows-nocgo: ## cross-build the service only for Windows, without cgo
	@mkdir -p $(PKG_WIN)
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(PKG_LDFLAGS)" -o $(PKG_WIN)/kiosk-nocgo.exe .

# The Windows builds test-packaging runs; windows needs the shell (kiosk/)
# to build for Windows.
PKG_WINDOWS_TARGETS ?= windows-nocgo windows

.PHONY: test-packaging
test-packaging: ## lintian + install/upgrade/purge in a Debian 12 chroot, nftables in a netns, Windows builds (root)
	@t0=$$(date +%s); \
	$(MAKE) --no-print-directory $(PKG_WINDOWS_TARGETS) && \
	$(MAKE) --no-print-directory package PKG_VERSION=$(PKG_VERSION) && \
	$(MAKE) --no-print-directory package PKG_VERSION=$(PKG_VERSION)+1 && \
	packaging/test/deb-test.sh $(DEB) $(PKG_DIST)/kiosk_$(PKG_VERSION)+1_$(PKG_ARCH).deb && \
	$(GO) test -count=1 -tags e2e ./packaging/test/ && \
	echo "test-packaging: passed in $$(( $$(date +%s) - t0 ))s"

# The virtual PC (packaging/test/vm): a Debian 12 disk with the package
# installed as docs/install.md says, booted in QEMU and driven through QMP.
VM_BUILD := $(PKG_BUILD)/vm
VM_IMAGE := $(PKG_DIST)/kiosk-vm_$(PKG_VERSION)_$(PKG_ARCH).qcow2

.PHONY: test-vm test-vm-run vm-image
test-vm: ## the installed kiosk on a virtual PC: boot, a session, lockdown, crash, reboot, purge (QEMU, root)
	@$(MAKE) --no-print-directory package PKG_VERSION=$(PKG_VERSION)
	@$(MAKE) --no-print-directory test-vm-run PKG_VERSION=$(PKG_VERSION)

# test-vm on the .deb already built ($(DEB)); make test runs it after
# test-packaging. KIOSK_VM_ACCEL=kvm|tcg forces the accelerator.
test-vm-run:
	@command -v qemu-system-x86_64 >/dev/null || { echo "qemu-system-x86_64 missing: scripts/deps.sh test installs it" >&2; exit 1; }
	@t0=$$(date +%s); mkdir -p $(VM_BUILD) && \
	packaging/test/vm/image.sh $(DEB) $(VM_IMAGE) $(VM_BUILD)/test.raw && \
	KIOSK_VM_DISK=$(abspath $(VM_BUILD)/test.raw) $(GO) test -count=1 -v -tags vm -timeout 40m -run '^TestVM$$' ./packaging/test/vm/ && \
	rm -f $(VM_BUILD)/test.raw && \
	echo "test-vm: passed in $$(( $$(date +%s) - t0 ))s (image build included); tested image: $(VM_IMAGE)"

vm-image: test-vm ## dist/kiosk-vm_VERSION_ARCH.qcow2: the tested image, for virt-manager or GNOME Boxes
	qemu-img convert -c -O qcow2 $(VM_IMAGE) $(VM_IMAGE).tmp && mv $(VM_IMAGE).tmp $(VM_IMAGE)
	@ls -l $(VM_IMAGE)
