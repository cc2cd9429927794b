# pcappush — see README.md and docs/. `make demo` and `make test` are all a newcomer
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
VERSITYGW    := $(TOOLS)/versitygw
VERSITYGW_VER := v1.8.0
DEMO_DIR     ?= $(CURDIR)/demo-out

# Installation (make install): GNU-style directories under PREFIX, staged
# under DESTDIR. The configuration lives in /etc/pcappush whatever the
# PREFIX, where push_realtime looks for it by default; systemd reads units
# and sysusers.d files under /usr/local/lib as well as /usr/lib.
PREFIX       ?= /usr/local
DESTDIR      ?=
BINDIR       ?= $(PREFIX)/bin
MANDIR       ?= $(PREFIX)/share/man
SYSCONFDIR   ?= /etc
UNITDIR      ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR  ?= $(PREFIX)/lib/sysusers.d
MAN_OUT      ?= $(BIN)/man
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
INSTALL_BINS := $(addprefix $(BIN)/,$(TOOLS_CMDS))
MAN_PAGES    := $(addprefix $(MAN_OUT)/,$(addsuffix .1,$(TOOLS_CMDS)))

# Debian packages: what building needs (lib/bpf compiles filters with the
# system's libpcap through cgo), what the tests check against, and what the
# benchmarks compare with.
BUILD_DEBS := gcc libc6-dev libpcap-dev
TEST_DEBS  := $(BUILD_DEBS) tcpdump tshark wireshark-common python3-scapy zstd lz4 groff-base openssh-server vsftpd time fuse3
BENCH_DEBS := $(TEST_DEBS) hyperfine pigz

.PHONY: all build man docs install uninstall demo test test-short check lint fmt bench fuzz setup-build setup-test setup-bench clean

all: build

build: setup-build
	@mkdir -p $(BIN)
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(TOOLS_CMDS))

## man: one man page per tool in bin/man, made from its --help text.
man: build
	@rm -f $(MAN_PAGES)
	@$(MAKE) --no-print-directory $(MAN_PAGES)

## docs: each tool's page in docs/tools, its generated part made from its
## --help text (as the man pages are); the notes written by hand after that
## part are kept.
docs: build
	@for t in $(TOOLS_CMDS); do \
	  page=docs/tools/$$t.md; \
	  $(BIN)/$$t --markdown > $$page.tmp || { rm -f $$page.tmp; exit 1; }; \
	  end=$$(tail -n 1 $$page.tmp); \
	  if [ -e $$page ]; then awk -v end="$$end" 'kept { print } $$0 == end { kept = 1 }' $$page >> $$page.tmp; fi; \
	  mv $$page.tmp $$page; \
	done

# install builds only what is missing, so that `make build && sudo make
# install` works where root has no Go.
$(INSTALL_BINS) &:
	@$(MAKE) --no-print-directory build

$(MAN_OUT)/%.1: $(BIN)/%
	@mkdir -p $(@D)
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $< --man > $@.tmp && mv $@.tmp $@

## install: the tools, man pages, systemd unit, sysusers.d entry and example
## config (PREFIX=/usr/local, DESTDIR=); never replaces push_realtime.lua.
install: $(INSTALL_BINS) $(MAN_PAGES)
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(SYSCONFDIR)/pcappush
	install -m 0755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MAN_PAGES) $(DESTDIR)$(MANDIR)/man1/
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' packaging/push_realtime.service.in \
	  > $(DESTDIR)$(UNITDIR)/push_realtime.service.tmp
	install -m 0644 $(DESTDIR)$(UNITDIR)/push_realtime.service.tmp $(DESTDIR)$(UNITDIR)/push_realtime.service
	rm -f $(DESTDIR)$(UNITDIR)/push_realtime.service.tmp
	install -m 0644 packaging/pcappush.sysusers $(DESTDIR)$(SYSUSERSDIR)/pcappush.conf
	install -m 0644 packaging/push_realtime.lua.example $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua.example
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua ]; then \
	  echo "kept $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua"; \
	else install -m 0644 packaging/push_realtime.lua.example $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  scripts/install-system.sh $(SYSUSERSDIR)/pcappush.conf; \
	else echo "not creating user pcappush (DESTDIR staging or not root): $(SYSUSERSDIR)/pcappush.conf declares it"; fi

## uninstall: removes what install put there; keeps push_realtime.lua, the
## state and log folders and the pcappush user.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS_CMDS)) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(addsuffix .1,$(TOOLS_CMDS))) \
	  $(DESTDIR)$(UNITDIR)/push_realtime.service $(DESTDIR)$(SYSUSERSDIR)/pcappush.conf \
	  $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua.example
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua, /var/lib/pcappush, /var/log/pcappush and the user pcappush"

setup-build:
	@scripts/setup-debian.sh $(BUILD_DEBS)

setup-test:
	@scripts/setup-debian.sh $(TEST_DEBS)

setup-bench:
	@scripts/setup-debian.sh $(BENCH_DEBS)

## demo: generate a sample capture and split it into one file per minute.
demo: build
	@scripts/demo.sh $(BIN) $(DEMO_DIR)

## test: unit and end-to-end tests (installs the Debian tools they compare
## with, and the S3 server the upload tests run against), a short chaos
## run, then every fuzz target briefly.
FUZZ_BRIEF ?= 3s
test: setup-test $(VERSITYGW)
	$(GO) test -race -count=1 -timeout 20m ./...
	@scripts/fuzz.sh $(FUZZ_BRIEF)

## test-short: the tests without the race detector, for a quick loop.
test-short: setup-build
	$(GO) test -count=1 -timeout 20m ./...

$(VERSITYGW):
	GOBIN=$(TOOLS) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VER)

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
bench: build setup-bench $(VERSITYGW)
	@scripts/bench.sh $(BIN)

## chaos: realtime push of a live capture while processes are killed at
## random for CHAOS_SECONDS, then POWER_CUTS real power cuts (the state,
## logs and outputs on a file system that drops what was not fsynced);
## checks every packet is published exactly once and no published split
## is replaced.
CHAOS_SECONDS ?= 150
POWER_CUTS    ?= 8
chaos: setup-test $(VERSITYGW)
	set -o pipefail; PCAPPUSH_REQUIRE_TOOLS=1 PCAPPUSH_CHAOS_SECONDS=$(CHAOS_SECONDS) PCAPPUSH_POWER_CUTS=$(POWER_CUTS) \
	  $(GO) test -count=1 -timeout 30m -run '^(TestChaos|TestPowerCut)$$' -v ./tests 2>&1 | grep -E '^(chaos:|--- |    |ok|FAIL|PASS)'

## fuzz: every fuzz target for FUZZTIME each (default 1m).
FUZZTIME ?= 1m
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN) $(DEMO_DIR)
