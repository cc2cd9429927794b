package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/exitcode"
	"github.com/pcappush/pcappush/lib/push/status"
	"github.com/pcappush/pcappush/lib/state"
)

func runArgs(args ...string) (string, string, error) {
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{tool}, args...), nil, &out, &errb)
	return out.String(), errb.String(), err
}

// minimal writes a one-target configuration under dir.
func minimal(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "push_realtime.lua")
	body := "local Config = {}\nConfig.Schedule = {\"Mon-Fri 08:00-18:00\"}\nConfig.Target = {}\n" +
		"table.insert(Config.Target, { Desc = \"all\", Path = \"" + dir + "/out/all\", Split = \"--split-time 60e9\", FileName = \"--filename-epoch-sec\", Post = \"/bin/true\" })\nreturn Config\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := minimal(t, dir)
	base := []string{"--config", cfg, "--state-dir", dir + "/state", "--log-dir", dir + "/log", "--bin-dir", dir, "--offline", "x"}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--progress", "fancy"}, `--progress "fancy": want bar, lines, none or auto`},
		{[]string{"--progress-interval", "0s"}, "--progress-interval 0s: want a positive duration"},
		{[]string{"--metrics-listen", "9310"}, `--metrics-listen "9310": want HOST:PORT`},
		{[]string{"stats"}, `unexpected argument "stats" (the one command is status)`},
	}
	for _, tt := range tests {
		args := append(append([]string{}, base...), tt.args...)
		if tt.args[0] == "stats" {
			args = []string{"--config", cfg, "stats"}
		}
		_, _, err := runArgs(args...)
		if exitcode.Code(err) != 2 || err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v; want a usage error with %q", tt.args, err, tt.want)
		}
	}
	if _, err := os.Stat(dir + "/log"); err == nil {
		t.Error("a usage error started something: the log folder exists")
	}
}

// TestDryRunShowsPost: the pipeline printed holds the Post command and
// the target's real id, the one a push with the same state folder uses
// (made by the dry run when the target has none yet), so that it can be
// pasted.
func TestDryRunShowsPost(t *testing.T) {
	dir := t.TempDir()
	out, _, err := runArgs("--config", minimal(t, dir), "--state-dir", dir+"/state", "--dry-run")
	uid := targetUID(t, dir+"/state", "all")
	if err != nil || !strings.Contains(out, "| PCAPPUSH_TARGET=all pcap_split --uid "+uid+" -o "+dir+"/out/all --split-time 60e9 --filename-epoch-sec --post-cmd /bin/true") {
		t.Errorf("dry run: %v\n%s", err, out)
	}
	again, _, err := runArgs("--config", minimal(t, dir), "--state-dir", dir+"/state", "--dry-run")
	if err != nil || again != out {
		t.Errorf("a second dry run printed another pipeline: %v\n%s\nthen\n%s", err, out, again)
	}
}

// targetUID returns the id the state folder holds for target desc.
func targetUID(t *testing.T, stateDir, desc string) string {
	t.Helper()
	uid, ok := state.At(stateDir).KnownUID(desc)
	if !ok || !strings.HasPrefix(uid, "push_") || uid == "push_UID" {
		t.Fatalf("target %s's id in %s: %q, %v", desc, stateDir, uid, ok)
	}
	return uid
}

func TestStatusWithoutAPush(t *testing.T) {
	dir := t.TempDir()
	cfg := minimal(t, dir)
	os.MkdirAll(dir+"/store/cap1", 0o755)
	// No state folder: nothing to show, and the message says what to pass.
	_, _, err := runArgs("status", "--config", cfg, "--state-dir", dir+"/state", "--store", dir+"/store")
	if exitcode.Code(err) != 1 || !strings.Contains(fmt.Sprint(err), "status: no state folder "+dir+"/state: give --state-dir DIR") {
		t.Errorf("status without a state folder: %v; want exit 1 saying what to pass", err)
	}
	os.MkdirAll(dir+"/state", 0o750)
	out, stderr, err := runArgs("status", "--config", cfg, "--state-dir", dir+"/state", "--store", dir+"/store")
	if err != nil || stderr != "" {
		t.Fatalf("status: %v, %s", err, stderr)
	}
	for _, want := range []string{"push_realtime: not running (state " + dir + "/state)\n", "\nall  ", "  all: no status yet", "\nstore " + dir + "/store:\n", "\ncap1 "} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	// Flags given before the command count too.
	out, _, err = runArgs("--state-dir", dir+"/state", "--store", dir+"/store", "--config", cfg, "status", "--json")
	var r status.Report
	if err != nil || json.Unmarshal([]byte(out), &r) != nil || r.StateDir != dir+"/state" || r.Store.Dir != dir+"/store" || len(r.Targets) != 1 {
		t.Errorf("status --json after global flags: %v\n%s", err, out)
	}
	// The record of a running push gives the store and logs; flags win.
	os.MkdirAll(dir+"/store2/cap2", 0o755)
	os.MkdirAll(dir+"/state", 0o755)
	if err := status.WriteRun(dir+"/state", &status.Run{Config: cfg, Store: dir + "/store2", LogDir: dir + "/log2"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args        []string
		store, logs string
	}{
		{nil, dir + "/store2", dir + "/log2"},
		{[]string{"--store", dir + "/store", "--log-dir", dir + "/log"}, dir + "/store", dir + "/log"},
	} {
		out, _, err = runArgs(append([]string{"status", "--json", "--state-dir", dir + "/state"}, tt.args...)...)
		r = status.Report{}
		if err != nil || json.Unmarshal([]byte(out), &r) != nil || r.Store.Dir != tt.store || r.LogDir != tt.logs || len(r.Targets) != 1 || r.Targets[0].Target != "all" {
			t.Errorf("status %v: %v\n%s", tt.args, err, out)
		}
	}
	// The record of a later offline push, the realtime push gone: its
	// folders, said to be its.
	if err := status.WriteRun(dir+"/state", &status.Run{Config: cfg, Store: dir + "/store3", LogDir: dir + "/log3", Mode: status.Offline,
		Capture: dir + "/elsewhere/cap3", Started: time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	out, _, err = runArgs("status", "--state-dir", dir+"/state")
	if err != nil || !strings.Contains(out, "\nfolders from the offline push of "+dir+"/elsewhere/cap3 started 2031-01-02 03:04:05 UTC\nlogs "+dir+"/log3: ") ||
		!strings.Contains(out, "\nstore "+dir+"/store3: none (no such folder)\n") {
		t.Errorf("status after an offline push: %v\n%s", err, out)
	}
	os.Remove(state.At(filepath.Join(dir, "state")).RunFile(false))
	os.Remove(state.At(filepath.Join(dir, "state")).RunFile(true))
	// Without a configuration: the state folder only, with a warning.
	_, stderr, err = runArgs("status", "--config", dir+"/missing.lua", "--state-dir", dir+"/state", "--store", dir+"/store")
	if err != nil || !strings.Contains(stderr, "status: warning: config "+dir+"/missing.lua: cannot read it") {
		t.Errorf("status without config: %v, %q", err, stderr)
	}
}

func TestHelpListsTheOptions(t *testing.T) {
	out, _, err := runArgs("--help")
	for _, want := range []string{"push_realtime status [--json]", "--metrics-listen ADDR", "--progress MODE", "--progress-interval D", "SIGHUP reloads", "EXAMPLES"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("--help lacks %q (%v)", want, err)
		}
	}
}

// TestDryRunFoldersAbsolute: relative folders are shown absolute, so the
// pipeline works pasted in another directory.
func TestDryRunFoldersAbsolute(t *testing.T) {
	dir := t.TempDir()
	minimal(t, dir)
	t.Chdir(dir)
	out, _, err := runArgs("--config", "push_realtime.lua", "--store", "store", "--state-dir", "state", "--log-dir", "log", "--rclone-config", "rc.conf", "--dry-run")
	for _, want := range []string{" --store " + dir + "/store ", " --state-dir " + dir + "/state ", " --ledger " + dir + "/state/" + targetUID(t, dir+"/state", "all") + "/CAPTURE.ledger"} {
		if err != nil || !strings.Contains(out, want) {
			t.Errorf("dry run with relative folders lacks %q: %v\n%s", want, err, out)
		}
	}
}

// TestDryRunShowsExpandedPath: the pipeline holds Path with {host},
// {desc} and {capture} expanded once at start, from --host and --capture;
// a bad --host is a usage error naming it.
func TestDryRunShowsExpandedPath(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "push_realtime.lua")
	body := "local Config = {}\nConfig.Host = \"lua-host\"\nConfig.Target = {}\n" +
		"table.insert(Config.Target, { Desc = \"pcap-all\", Path = \"" + dir + "/out/{host}/{capture}/{desc}\", Split = \"--split-time 60e9\", FileName = \"--filename-epoch-sec\" })\nreturn Config\n"
	if err := os.WriteFile(cfg, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := runArgs("--config", cfg, "--state-dir", dir+"/state", "--host", "sensor7", "--capture", "cap1", "--dry-run")
	if err != nil || !strings.Contains(out, " -o "+dir+"/out/sensor7/cap1/pcap-all ") {
		t.Errorf("dry run: %v\n%s", err, out)
	}
	out, _, err = runArgs("--config", cfg, "--state-dir", dir+"/state", "--offline", "cap2", "--dry-run")
	if err != nil || !strings.Contains(out, " -o "+dir+"/out/lua-host/cap2/pcap-all ") {
		t.Errorf("dry run with Config.Host and --offline: %v\n%s", err, out)
	}
	_, _, err = runArgs("--config", cfg, "--state-dir", dir+"/state", "--dry-run")
	if exitcode.Code(err) != 2 || !strings.Contains(err.Error(), `target "pcap-all": Path: `) || !strings.Contains(err.Error(), "{capture} has no value here") {
		t.Errorf("no capture: %v", err)
	}
	_, _, err = runArgs("--config", cfg, "--state-dir", dir+"/state", "--capture", "c", "--host", "a b", "--dry-run")
	if exitcode.Code(err) != 2 || !strings.Contains(err.Error(), `--host: host name "a b" is not a plain file-name component`) {
		t.Errorf("bad --host: %v", err)
	}
}
