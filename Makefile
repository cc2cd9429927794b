# pcappush — see README.md. `make demo` and `make test` are all a newcomer
# needs; both install what they use.

SHELL        := /bin/bash
GO           ?= go
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -s -w -X github.com/pcappush/pcappush/lib/cliutil.Version=$(VERSION)
BIN          := $(CURDIR)/bin
TOOLS        := $(CURDIR)/.tools/bin
TOOLS_CMDS   := pcap_split pcapgen
GOLANGCI     := $(TOOLS)/golangci-lint
GOLANGCI_VER := v2.15.0
VERSITYGW    := $(TOOLS)/versitygw
VERSITYGW_VER := v1.8.0
DEMO_DIR     ?= $(CURDIR)/demo-out

# Debian packages: what the tests check against, and what the benchmarks
# compare with.
TEST_DEBS  := tcpdump tshark wireshark-common openssh-server vsftpd zstd lz4
BENCH_DEBS := $(TEST_DEBS) hyperfine pigz time

.PHONY: all build demo test test-short check lint fmt bench fuzz setup-test setup-bench clean

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(TOOLS_CMDS))

setup-test:
	@scripts/setup-debian.sh $(TEST_DEBS)

setup-bench:
	@scripts/setup-debian.sh $(BENCH_DEBS)

## demo: generate a sample capture and split it into one file per minute.
demo: build
	@scripts/demo.sh $(BIN) $(DEMO_DIR)

## test: unit and end-to-end tests (installs the Debian tools they compare
## with, and the S3 server the upload tests run against).
test: setup-test $(VERSITYGW)
	$(GO) test -race -timeout 20m ./...

## test-short: the tests without the race detector, for a quick loop.
test-short:
	$(GO) test -timeout 20m ./...

$(VERSITYGW):
	GOBIN=$(TOOLS) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VER)

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

## check: formatting, vet, lint, and a tidy go.mod.
check: $(GOLANGCI)
	@out=$$(gofmt -s -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt -s needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GOLANGCI) run ./...
	@cp go.mod /tmp/pcappush-go.mod.$$$$ && cp go.sum /tmp/pcappush-go.sum.$$$$ && $(GO) mod tidy && \
	  if ! diff -q go.mod /tmp/pcappush-go.mod.$$$$ >/dev/null || ! diff -q go.sum /tmp/pcappush-go.sum.$$$$ >/dev/null; then \
	    echo "go mod tidy changed go.mod/go.sum: commit the result"; exit 1; fi; rm -f /tmp/pcappush-go.*.$$$$

fmt:
	gofmt -s -w $$(git ls-files '*.go')

## bench: whole-tool throughput against the peer tools, same input, one run.
bench: build setup-bench
	@scripts/bench.sh $(BIN)

## fuzz: every fuzz target for FUZZTIME each (default 1m).
FUZZTIME ?= 1m
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN) $(DEMO_DIR)
