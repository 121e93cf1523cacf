# kiosk: make help lists the targets.
SHELL := /bin/bash
export PATH := /usr/local/go/bin:$(PATH)
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN := bin/kiosk
RUN_DIR := $(CURDIR)/.run

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: deps-run deps-test
deps-run: ## install what `make run` needs (Debian packages, Go modules)
	@scripts/deps.sh run
	@$(GO) mod download
deps-test: ## install what `make test` needs
	@scripts/deps.sh test
	@$(GO) mod download

.PHONY: build
build: deps-run ## build bin/kiosk (pure Go: service, commands, the shell's supervisor) and bin/kiosk-browser (cgo, WebKitGTK)
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .
	$(GO) build -tags webview -ldflags "$(LDFLAGS)" -o bin/kiosk-browser ./cmd/kiosk-browser

.PHONY: build-nocgo
build-nocgo: ## build bin/kiosk-nocgo without cgo (service only)
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o bin/kiosk-nocgo .

.PHONY: run
run: build ## run the kiosk on this machine (service, and the shell when a display exists)
	@scripts/run.sh $(BIN) $(RUN_DIR)

.PHONY: vet
vet: ## go vet, with and without build tags
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	$(GO) vet -tags webview,e2e ./...

.PHONY: check-nocgo
check-nocgo: ## everything but kiosk-browser builds (and its tests compile) without cgo
	CGO_ENABLED=0 $(GO) build -o /dev/null .
	CGO_ENABLED=0 $(GO) vet ./...
	CGO_ENABLED=0 $(GO) test -count=1 ./kiosk/ ./kiosk/browser/
	$(GO) test -count=1 -run TestDeps .

.PHONY: os-check
os-check: ## the service builds for Windows too
	GOOS=windows CGO_ENABLED=0 $(GO) vet ./...

.PHONY: test
test: deps-test vet check-nocgo os-check ## everything: vet, race tests, WebKitGTK under Xvfb, Chromium, packaging, the virtual PC
	$(GO) test -count=1 -race -shuffle=on -tags e2e -timeout 15m ./...
	$(GO) test -count=1 -race -tags webview,e2e -timeout 15m ./kiosk/...
	$(GO) test -count=1 -run 'TestStore_YearFileSize' ./usage/  # !race: a year of data takes minutes under -race
	@if [ -f packaging/packaging.mk ]; then $(MAKE) --no-print-directory test-packaging && $(MAKE) --no-print-directory test-vm-run PKG_VERSION=$(PKG_VERSION); fi
	@echo "make test: all passed"

.PHONY: bench
bench: deps-test ## Go benchmarks and the end-to-end load test
	$(GO) test -run '^$$' -bench . -benchmem -count 5 ./allowlist/ ./proxy/ ./usage/ ./admin/ ./monitor/ ./fleet/ | tee bench.txt
	@scripts/bench.sh

.PHONY: clean
clean: ## remove build outputs
	rm -rf bin dist $(RUN_DIR) bench.txt

-include packaging/packaging.mk
