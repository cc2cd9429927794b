package push

import (
	"context"
	"fmt"
	"sync"

	"github.com/pcappush/pcappush/lib/bpf"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// filters compiles the targets' FilterBPF when a configuration is loaded,
// with libpcap in a child process bounded in length, time and memory (see
// lib/bpf), stopped by ctx (SIGTERM); and keeps the programs, so that a
// reload with the same filter compiles nothing and every pipeline start
// hands pcap_filter the program (--compiled) instead of compiling again.
type filters struct {
	ctx      context.Context
	compiler bpf.Compiler
	mu       sync.Mutex
	progs    map[filterKey]*bpf.Program
}

type filterKey struct {
	expr  string
	decap bool
}

func newFilters(ctx context.Context) *filters {
	return &filters{ctx: ctx, progs: map[filterKey]*bpf.Program{}}
}

// check compiles expr, once, as the pipeline's pcap_filter will see it:
// for Ethernet behind pcap_decap; otherwise, since the capture's link type
// is known only when its stream starts, for the first common link type
// that takes it, as pcap_filter checks before reading its input.
func (f *filters) check(expr string, decap bool) error {
	k := filterKey{expr, decap}
	f.mu.Lock()
	_, ok := f.progs[k]
	f.mu.Unlock()
	if ok {
		return nil
	}
	var p *bpf.Program
	var err error
	if decap {
		p, err = f.compiler.Compile(f.ctx, expr, pcapio.LinkTypeEthernet, pcapio.DefaultSnaplen)
		if err != nil {
			return fmt.Errorf("%w (compiled by libpcap for Ethernet, pcap_decap's output)", err)
		}
	} else if p, err = f.compiler.Check(f.ctx, expr); err != nil {
		return err
	}
	f.mu.Lock()
	f.progs[k] = p
	f.mu.Unlock()
	return nil
}

// keep forgets the programs no target of cfg uses.
func (f *filters) keep(cfg *config.Config) {
	used := map[filterKey]bool{}
	for _, t := range cfg.Targets {
		used[filterKey{t.FilterBPF, t.Decap}] = true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.progs {
		if !used[k] {
			delete(f.progs, k)
		}
	}
}

// code returns t's compiled filter as pcap_filter --compiled takes it, ""
// when it has none.
func (f *filters) code(t config.Target) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p := f.progs[filterKey{t.FilterBPF, t.Decap}]; p != nil && t.FilterBPF != "" {
		return p.Bytecode()
	}
	return ""
}
