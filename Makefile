# pcappush — see README.md and docs/. `make demo` and `make test` are all a newcomer
# needs; both install what they use.

SHELL        := /bin/bash
GO           ?= go
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -s -w -X github.com/pcappush/pcappush/lib/cliapp.Version=$(VERSION)
BIN          := $(CURDIR)/bin
TOOLS        := $(CURDIR)/.tools/bin
TOOLS_CMDS   := stream_cat pcap_decap pcap_filter pcap_split push_realtime pcapgen
# Position independent tools, so that address space layout randomisation
# covers them: all but stream_cat and pcap_split. Those two link rclone's
# backends, and a position independent build makes the loader relocate
# about 6 MB of their data into private memory in every process, 12 MB
# more for every push target (docs/security.md); they are built as Go
# builds by default (lintian warns hardening-no-pie for them).
PIE_CMDS     := pcap_decap pcap_filter push_realtime pcapgen
GOLANGCI     := $(TOOLS)/golangci-lint
GOLANGCI_VER := v2.15.0
VERSITYGW    := $(TOOLS)/versitygw
VERSITYGW_VER := v1.8.0
# The other loopback servers the endpoint tests run: Google Cloud Storage
# (fake-gcs-server), Azure Blob (Azurite, from npm), and a summariser of
# go test's output for make test (gotestsum).
FAKEGCS      := $(TOOLS)/fake-gcs-server
FAKEGCS_VER  := v1.56.1
AZURITE      := $(CURDIR)/.tools/azurite/node_modules/.bin/azurite-blob
AZURITE_VER  := 3.37.0
GOTESTSUM    := $(TOOLS)/gotestsum
GOTESTSUM_VER := v1.13.0
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
TMPFILESDIR  ?= $(PREFIX)/lib/tmpfiles.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
MAN_OUT      ?= $(BIN)/man
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
INSTALL_BINS := $(addprefix $(BIN)/,$(TOOLS_CMDS))
MAN1_PAGES   := $(addprefix $(MAN_OUT)/man1/,$(addsuffix .1,$(TOOLS_CMDS)))
MAN5_PAGES   := $(MAN_OUT)/man5/push_realtime.lua.5
MAN_PAGES    := $(MAN1_PAGES) $(MAN5_PAGES)

# The Debian package (make deb): built with nfpm as a library
# (github.com/goreleaser/nfpm/v2 v2.48.0, in go.mod), by internal/mkdeb.
# Its version is the tag without its v (v1.2.0: 1.2.0), else
# 0.0~gitDATE.COMMIT, so that later commits sort later.
DEB_VERSION  ?= $(shell t=$$(git describe --tags --match 'v[0-9]*' --exact-match 2>/dev/null) && echo "$${t\#v}" || \
                  TZ=UTC0 git log -1 --date=format-local:%Y%m%d%H%M%S --format='0.0~git%cd.%h' 2>/dev/null || echo 0.0~dev)
DEB          := $(BIN)/pcappush_$(DEB_VERSION)_amd64.deb

# Debian packages: what building needs (lib/bpf compiles filters with the
# system's libpcap through cgo), what the tests check against, and what the
# benchmarks compare with.
# make test installs them with their services neither started nor enabled
# (scripts/setup-debian.sh); the tests start sshd, vsftpd, smbd and
# prometheus themselves on loopback ports.
BUILD_DEBS := gcc libc6-dev libpcap-dev
TEST_DEBS  := $(BUILD_DEBS) tcpdump tshark wireshark-common python3-scapy zstd lz4 groff-base man-db openssh-server vsftpd \
              samba prometheus time fuse3 lintian mmdebstrap
BENCH_DEBS := $(TEST_DEBS) hyperfine pigz

.PHONY: all build man docs install uninstall deb demo test test-deb test-short check lint fmt bench fuzz setup-build setup-test setup-bench test-tools clean

all: build

build: setup-build
	@mkdir -p $(BIN)
	$(GO) build -trimpath -buildmode=pie -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(PIE_CMDS))
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(filter-out $(PIE_CMDS),$(TOOLS_CMDS)))

## man: one man page per tool in bin/man/man1, made from its --help text,
## and push_realtime.lua(5) in bin/man/man5 (MANPATH=bin/man man push_realtime).
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

$(MAN_OUT)/man1/%.1: $(BIN)/%
	@mkdir -p $(@D)
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $< --man > $@.tmp && mv $@.tmp $@

$(MAN_OUT)/man5/push_realtime.lua.5: $(BIN)/push_realtime
	@mkdir -p $(@D)
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $< --man-config > $@.tmp && mv $@.tmp $@

## install: the tools, man pages, bash completion, systemd unit, sysusers.d
## and tmpfiles.d entries and example config (PREFIX=/usr/local, DESTDIR=);
## never replaces push_realtime.lua.
install: $(INSTALL_BINS) $(MAN_PAGES)
	install -d -m 0755 $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(SYSCONFDIR)/pcappush
	install -m 0755 $(INSTALL_BINS) $(DESTDIR)$(BINDIR)/
	install -m 0644 $(MAN1_PAGES) $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 $(MAN5_PAGES) $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 packaging/pcappush.bash-completion $(DESTDIR)$(COMPLETIONDIR)/stream_cat
	for t in $(filter-out stream_cat,$(TOOLS_CMDS)); do ln -sf stream_cat $(DESTDIR)$(COMPLETIONDIR)/$$t; done
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' packaging/push_realtime.service.in \
	  > $(DESTDIR)$(UNITDIR)/push_realtime.service.tmp
	install -m 0644 $(DESTDIR)$(UNITDIR)/push_realtime.service.tmp $(DESTDIR)$(UNITDIR)/push_realtime.service
	rm -f $(DESTDIR)$(UNITDIR)/push_realtime.service.tmp
	install -m 0644 packaging/pcappush.sysusers $(DESTDIR)$(SYSUSERSDIR)/pcappush.conf
	install -m 0644 packaging/pcappush.tmpfiles $(DESTDIR)$(TMPFILESDIR)/pcappush.conf
	install -m 0644 packaging/push_realtime.lua.example $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua.example
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua ]; then \
	  echo "kept $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua"; \
	else install -m 0644 packaging/push_realtime.lua.example $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua; fi
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	  scripts/install-system.sh $(SYSUSERSDIR)/pcappush.conf $(TMPFILESDIR)/pcappush.conf; \
	else echo "not creating user pcappush (DESTDIR staging or not root): $(SYSUSERSDIR)/pcappush.conf declares it"; fi

## uninstall: removes what install put there; keeps push_realtime.lua, the
## state and log folders and the pcappush user.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(TOOLS_CMDS)) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(addsuffix .1,$(TOOLS_CMDS))) $(DESTDIR)$(MANDIR)/man5/push_realtime.lua.5 \
	  $(addprefix $(DESTDIR)$(COMPLETIONDIR)/,$(TOOLS_CMDS)) $(DESTDIR)$(TMPFILESDIR)/pcappush.conf \
	  $(DESTDIR)$(UNITDIR)/push_realtime.service $(DESTDIR)$(SYSUSERSDIR)/pcappush.conf \
	  $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua.example
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/pcappush/push_realtime.lua, /var/lib/pcappush, /var/log/pcappush and the user pcappush"

setup-build:
	@scripts/setup-debian.sh $(BUILD_DEBS)

setup-test:
	@scripts/setup-debian.sh $(TEST_DEBS)

## deb: the Debian package bin/pcappush_VERSION_amd64.deb (see docs/operations.md).
deb: $(DEB)

$(DEB): $(INSTALL_BINS) $(MAN_PAGES) $(wildcard packaging/* packaging/deb/*) internal/mkdeb/main.go
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(GO) run ./internal/mkdeb -version '$(DEB_VERSION)' -bin $(BIN) -man $(MAN_OUT) -o $@

setup-bench:
	@scripts/setup-debian.sh $(BENCH_DEBS)

## demo: generate a sample capture and split it into one file per minute.
demo: build
	@scripts/demo.sh $(BIN) $(DEMO_DIR)

## test: unit and end-to-end tests with the race detector (installs the
## Debian tools they compare with and the loopback servers the upload tests
## run against), then every fuzz target briefly; one line per package and
## fuzz target, the failures' output, and a last line "N passed, N failed".
## With CI set, the Debian package is built and its install test runs too
## (on the machine itself); elsewhere that is make test-deb.
FUZZ_BRIEF ?= 3s
test: setup-test test-tools build $(if $(CI),deb)
	@PCAPPUSH_DEB=$(if $(CI),$(DEB)) scripts/test.sh $(GOTESTSUM) $(FUZZ_BRIEF)

## test-deb: build the package, lint it, install it into a throwaway Debian
## root (made once with mmdebstrap, kept in .tools/debian-root), push the
## demo from the installed tools as user pcappush, remove and purge it.
## With CI set, make test runs it too, on the machine itself.
test-deb: setup-test deb
	set -o pipefail; PCAPPUSH_DEB=$(DEB) $(GO) test -count=1 -timeout 20m -run '^TestDeb' -v ./tests 2>&1 | grep -vE '^=== (RUN|PAUSE|CONT)'

test-tools: $(VERSITYGW) $(FAKEGCS) $(AZURITE) $(GOTESTSUM)

## test-short: the tests without the race detector, for a quick loop.
test-short: setup-build
	$(GO) test -count=1 -timeout 20m ./...

$(VERSITYGW):
	GOBIN=$(TOOLS) $(GO) install github.com/versity/versitygw/cmd/versitygw@$(VERSITYGW_VER)

$(FAKEGCS):
	GOBIN=$(TOOLS) $(GO) install github.com/fsouza/fake-gcs-server@$(FAKEGCS_VER)

$(GOTESTSUM):
	GOBIN=$(TOOLS) $(GO) install gotest.tools/gotestsum@$(GOTESTSUM_VER)

# npm: the machine's (Node.js packages ship their own), else Debian's
$(AZURITE):
	@command -v npm >/dev/null || scripts/setup-debian.sh npm
	npm install --prefix $(CURDIR)/.tools/azurite --no-audit --no-fund --loglevel=error azurite@$(AZURITE_VER)

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

## bench: whole-tool throughput against the peer tools, same input, one run;
## refreshes the tables of docs/performance.md. Suites may follow:
## `make bench push cat` runs only those (BENCH_RUNS=5 runs each).
BENCH_SUITE_NAMES := cat compress decap filter hops push rclone split window
BENCH_SUITES      := $(if $(filter bench,$(MAKECMDGOALS)),$(filter $(BENCH_SUITE_NAMES),$(MAKECMDGOALS)))
bench: build setup-bench $(VERSITYGW)
	@scripts/bench.sh $(BIN) $(BENCH_SUITES)

# Suite names after `bench` are arguments, not targets of their own.
ifneq ($(BENCH_SUITES),)
.PHONY: $(BENCH_SUITES)
$(BENCH_SUITES):
	@:
endif

## chaos: realtime push of a live capture while processes are killed at
## random for CHAOS_SECONDS, then POWER_CUTS real power cuts (the state,
## logs and outputs on a file system that drops what was not fsynced);
## checks every packet is published exactly once and no published split
## is replaced.
CHAOS_SECONDS ?= 150
POWER_CUTS    ?= 8
chaos: setup-test test-tools
	set -o pipefail; PCAPPUSH_REQUIRE_TOOLS=1 PCAPPUSH_CHAOS_SECONDS=$(CHAOS_SECONDS) PCAPPUSH_POWER_CUTS=$(POWER_CUTS) \
	  $(GO) test -count=1 -timeout 30m -run '^(TestChaos|TestPowerCut)$$' -v ./tests 2>&1 | grep -E '^(chaos:|--- |    |ok|FAIL|PASS)'

## fuzz: every fuzz target for FUZZTIME each (default 1m).
FUZZTIME ?= 1m
fuzz:
	@scripts/fuzz.sh $(FUZZTIME)

clean:
	rm -rf $(BIN) $(DEMO_DIR)
