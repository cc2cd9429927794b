package config

import (
	"context"
	"errors"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// TestLoadBoundsMemory: Lua code that allocates without bound ends in a
// configuration error naming the file, without this process growing.
func TestLoadBoundsMemory(t *testing.T) {
	if testutil.Race {
		t.Skip("the race detector's runtime is too slow and large for these limits; tests/ checks them on push_realtime as built")
	}
	tests := []struct{ name, body, want string }{
		{"string.rep of a gigabyte", "local s = string.rep(\"x\", 2^30)\ns = s .. s\n" + target(good),
			"lua error at line 1: string.rep: a result of 1073741824 bytes is over the configuration's 256 MiB memory limit"},
		{"method form", "local s = (\"xx\"):rep(2^29)\n" + target(good), "string.rep: a result of 1073741824 bytes"},
		{"doubling", "local s = string.rep(\"x\", 2^20)\nwhile true do s = s .. s end\n" + target(good), "the Lua code"},
		{"a growing table", "local t = {}\nfor i = 1, 1e9 do t[i] = {i} end\n" + target(good), "the Lua code used more than 256 MiB of memory"},
		{"a table inside itself", "local c = {}\nc.Target = c\nreturn c\n", "nests tables more than 16 deep"},
		{"deep recursion", "local function f(n) return f(n + 1) + 1 end\nf(1)\n" + target(good), "stack overflow"},
		{"os.exit", "os.exit(0)\n" + target(good), "the Lua code ended its loading process without returning"},
	}
	before := heap()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writeConfig(t, tt.body)
			start := time.Now()
			_, err := Load(p, Checks{Folder: func(string) error { return nil }})
			var ce *Error
			if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "config "+p+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v; want a *Error naming the file and %q", err, tt.want)
			}
			if d := time.Since(start); d > RunTimeout+10*time.Second {
				t.Errorf("took %v", d)
			}
			t.Logf("%v: %v", time.Since(start).Round(time.Millisecond), err)
		})
	}
	if after := heap(); after > before+64<<20 {
		t.Errorf("this process's heap grew from %d to %d MiB", before>>20, after>>20)
	}
}

func heap() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestLoadContextCancel: cancelling stops Lua code that never ends at once.
func TestLoadContextCancel(t *testing.T) {
	p := writeConfig(t, "while true do end\n")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := LoadContext(ctx, p, Checks{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadContext = %v; want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopping took %v", d)
	}
}

// TestLoadKeepsValues: the value the Lua code returns reaches the readers
// unchanged through the loading process: bytes that are not UTF-8, keys
// in order, numbers, booleans, and functions refused by type.
func TestLoadKeepsValues(t *testing.T) {
	cfg, err := Load(writeConfig(t, target(good+`, FilterBPF = "\255\0x", Decap = true`)), Checks{Folder: func(string) error { return nil }})
	if err != nil || cfg.Targets[0].FilterBPF != "\xff\x00x" || !cfg.Targets[0].Decap || cfg.Targets[0].SplitTime != 60e9 {
		t.Fatalf("Load = %+v, %v", cfg, err)
	}
	_, err = Load(writeConfig(t, target(good+`, FilterBPF = function() end`)), Checks{})
	if err == nil || !strings.Contains(err.Error(), "FilterBPF: want a string, got function") {
		t.Errorf("a function as FilterBPF: %v", err)
	}
}

func TestLoadFleetLimits(t *testing.T) {
	fleet := func(n int) string {
		return `local Config = {Target = {}}
for i = 1, ` + strconv.Itoa(n) + ` do
  table.insert(Config.Target, {Desc = "t" .. i, Path = "/tmp/pcappush-config-test/t" .. i, Split = "--split-time 60e9", FileName = "--filename-epoch-sec"})
end
return Config
`
	}
	chk := Checks{Folder: func(string) error { return nil }}
	cfg, err := Load(writeConfig(t, fleet(MaxTargets)), chk)
	if err != nil || len(cfg.Targets) != MaxTargets || len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0], "256 targets, more than the 100 tested") {
		t.Errorf("%d targets: %v, warnings %q", MaxTargets, err, cfg.Warnings)
	}
	if cfg, err := Load(writeConfig(t, fleet(TestedTargets)), chk); err != nil || len(cfg.Warnings) != 0 {
		t.Errorf("%d targets: %v, warnings %q", TestedTargets, err, cfg.Warnings)
	}
	_, err = Load(writeConfig(t, fleet(MaxTargets+1)), chk)
	if err == nil || !strings.Contains(err.Error(), "Config.Target: 257 targets, over the limit of 256") {
		t.Errorf("%d targets: %v", MaxTargets+1, err)
	}
}
