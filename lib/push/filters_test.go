package push

import (
	"context"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/lib/config"
)

// TestChecksFilterByDecap: without Decap a filter is checked as
// pcap_filter checks it before the link type is known (so "inbound", valid
// on Linux cooked captures, passes); with Decap it must compile for
// Ethernet.
func TestChecksFilterByDecap(t *testing.T) {
	t.Parallel()
	f := newFilters(context.Background())
	chk := (&Options{}).checks(f, true)
	if err := chk.BPF("inbound", false); err != nil {
		t.Errorf("inbound without decap: %v", err)
	}
	if code := f.code(config.Target{FilterBPF: "inbound"}); !strings.HasPrefix(code, "113:") {
		t.Errorf("inbound without decap compiled to %q; want a Linux cooked (113) program", code)
	}
	if err := chk.BPF("inbound", true); err == nil {
		t.Error("inbound with decap: accepted; want Ethernet's refusal")
	}
	if err := chk.BPF("tcp port", false); err == nil {
		t.Error("a syntax error was accepted")
	}
}

// TestFiltersCompiledOncePerLoad: a filter already compiled is not
// compiled again (a reload), and programs no target uses are dropped.
func TestFiltersCompiledOncePerLoad(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	f := newFilters(ctx)
	if err := f.check("tcp", true); err != nil {
		t.Fatal(err)
	}
	tcp := config.Target{FilterBPF: "tcp", Decap: true}
	code := f.code(tcp)
	if !strings.HasPrefix(code, "1:") {
		t.Fatalf("code %q", code)
	}
	cancel() // a compile now fails: only a cached program passes
	if err := f.check("tcp", true); err != nil {
		t.Errorf("checking a compiled filter again: %v", err)
	}
	if err := f.check("udp", true); err == nil {
		t.Error("a new filter passed without being compiled")
	}
	f.keep(&config.Config{Targets: []config.Target{{FilterBPF: "ip"}}})
	if f.code(tcp) != "" {
		t.Error("a filter no target uses was kept")
	}
}
