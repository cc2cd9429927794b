// Package testutil holds helpers shared by pcappush's tests: finding the
// repository's test data, building the tools once per test binary, and
// running external reference tools (tcpdump, capinfos, mergecap, tshark).
//
// A missing external tool skips the test, unless PCAPPUSH_REQUIRE_TOOLS is
// set (as CI does), in which case it fails it: CI must never pass by
// skipping.
package testutil

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Root returns the repository's top folder.
func Root(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate testutil source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Corpus returns the path of a capture in testdata/corpus/pcaps.
func Corpus(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Root(t), "testdata", "corpus", "pcaps", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("corpus file: %v", err)
	}
	return p
}

// CorpusFiles returns every capture in testdata/corpus/pcaps.
func CorpusFiles(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(Root(t), "testdata", "corpus", "pcaps", "*"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	return m
}

// SharedCorpus returns the path of a file in ../shared/corpus, skipping the
// test when that folder is absent.
func SharedCorpus(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Root(t), "..", "shared", "corpus", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared corpus not present: %v", err)
	}
	return p
}

// Need returns the path of an external tool, skipping the test when it is
// missing (failing it when PCAPPUSH_REQUIRE_TOOLS is set).
func Need(t testing.TB, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		Unavailable(t, "%s not installed", tool)
	}
	return p
}

// SyncDir fsyncs folder dir, making its entries durable.
func SyncDir(t testing.TB, dir string) {
	t.Helper()
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
}

// Unavailable skips the test because something it needs from the machine
// is missing, or fails it when PCAPPUSH_REQUIRE_TOOLS is set.
func Unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("PCAPPUSH_REQUIRE_TOOLS") != "" {
		t.Fatalf("required but unavailable: "+format, args...)
	}
	t.Skipf(format, args...)
}

var (
	buildMu  sync.Mutex
	buildDir string
	built    = map[string]string{}
)

// Tool builds cmd/<name> once per test binary and returns its path. When
// PCAPPUSH_BIN names a folder holding the tool, that binary is used.
func Tool(t testing.TB, name string) string {
	t.Helper()
	if dir := os.Getenv("PCAPPUSH_BIN"); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	if p, ok := built[name]; ok {
		return p
	}
	if buildDir == "" {
		d, err := os.MkdirTemp("", "pcappush-bin-")
		if err != nil {
			t.Fatal(err)
		}
		buildDir = d
	}
	out := filepath.Join(buildDir, name)
	cmd := exec.Command("go", "build", "-o", out, "./cmd/"+name)
	cmd.Dir = Root(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, b)
	}
	built[name] = out
	return out
}

// Result is what a command did.
type Result struct {
	Stdout, Stderr []byte
	Code           int
}

// Run runs a command with stdin and returns its output and exit code; it
// fails the test if the command cannot be started or runs past a minute.
func Run(t testing.TB, stdin []byte, name string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ctx.Err() != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.Bytes())
		}
		code = ee.ExitCode()
	}
	return Result{Stdout: out.Bytes(), Stderr: errb.Bytes(), Code: code}
}

// MustRun is Run that fails the test unless the command exits 0.
func MustRun(t testing.TB, stdin []byte, name string, args ...string) Result {
	t.Helper()
	r := Run(t, stdin, name, args...)
	if r.Code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), r.Code, r.Stderr)
	}
	return r
}
