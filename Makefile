# pcappush — see README.md. `make demo` and `make test` are all a newcomer
# needs; both install what they use.

SHELL        := /bin/bash
GO           ?= go
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -s -w -X github.com/pcappush/pcappush/lib/cliutil.Version=$(VERSION)
BIN          := $(CURDIR)/bin
TOOLS        := $(CURDIR)/.tools/bin
TOOLS_CMDS   := stream_cat pcap_decap pcap_filter pcap_split push_realtime pcapgen
GOLANGCI     := $(TOOLS)/golangci-lint
GOLANGCI_VER := v2.15.0
DEMO_DIR     ?= $(CURDIR)/demo-out

# Debian packages: what building needs (lib/bpf compiles filters with the
# system's libpcap through cgo), what the tests check against, and what the
# benchmarks compare with.
BUILD_DEBS := gcc libc6-dev libpcap-dev
TEST_DEBS  := $(BUILD_DEBS) tcpdump tshark wireshark-common python3-scapy zstd lz4
BENCH_DEBS := $(TEST_DEBS) hyperfine pigz zstd lz4 time

.PHONY: all build demo test test-short check lint fmt bench fuzz setup-build setup-test setup-bench clean

all: build

build: setup-build
	@mkdir -p $(BIN)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(TOOLS_CMDS))

setup-build:
	@scripts/setup-debian.sh $(BUILD_DEBS)

setup-test:
	@scripts/setup-debian.sh $(TEST_DEBS)

setup-bench:
	@scripts/setup-debian.sh $(BENCH_DEBS)

## demo: generate a sample capture and split it into one file per minute.
demo: build
	@scripts/demo.sh $(BIN) $(DEMO_DIR)

## test: unit and end-to-end tests (installs the Debian tools they compare with).
test: setup-test
	$(GO) test -race -count=1 -timeout 20m ./...

## test-short: the tests without the race detector, for a quick loop.
test-short: setup-build
	$(GO) test -count=1 -timeout 20m ./...

$(GOLANGCI):
	GOBIN=$(TOOLS) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VER)

## check: formatting, vet, lint, and a tidy go.mod.
check: setup-build $(GOLANGCI)
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
