package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the generated section of docs/configuration.md")

// TestReferenceNamesEveryField: the documented fields are exactly the
// fields Load reads, targets' and globals', so that a field added to the
// loader fails here until push_realtime.lua(5) and docs/configuration.md
// describe it.
func TestReferenceNamesEveryField(t *testing.T) {
	var docTarget, docGlobal []string
	for _, f := range Reference() {
		if f.Text == "" || (!f.Required && f.Default == "") {
			t.Errorf("%s: want a text and either Required or a Default", f.Name)
		}
		if f.Target {
			docTarget = append(docTarget, f.Name)
		} else {
			docGlobal = append(docGlobal, f.Name)
		}
	}
	var loadGlobal []string
	for _, g := range globalFields {
		loadGlobal = append(loadGlobal, "Config."+g)
	}
	slices.Sort(docTarget)
	slices.Sort(docGlobal)
	slices.Sort(loadGlobal)
	if d := cmp.Diff(fieldNames(), docTarget); d != "" {
		t.Errorf("target fields: Load reads (-) but the reference documents (+):\n%s", d)
	}
	if d := cmp.Diff(loadGlobal, docGlobal); d != "" {
		t.Errorf("globals: Load reads (-) but the reference documents (+):\n%s", d)
	}
}

// TestReferenceExamplesLoad: every documented example, put together in one
// file, loads.
func TestReferenceExamplesLoad(t *testing.T) {
	var body strings.Builder
	body.WriteString("local Config = {}\nConfig.Target = {}\n")
	for _, e := range Examples() {
		body.WriteString(e.Lua + "\n")
	}
	body.WriteString("return Config\n")
	var made []string
	cfg, err := Load(writeConfig(t, body.String()), noFolders(&made))
	if err != nil {
		t.Fatalf("the examples do not load: %v\n%s", err, body.String())
	}
	if len(cfg.Targets) < 5 || cfg.Schedule.Always() {
		t.Errorf("the examples give %d targets and schedule %v; want five or more and a schedule", len(cfg.Targets), cfg.Schedule)
	}
}

const (
	docBegin = "<!-- BEGIN reference: generated from lib/config/reference.go by `go test ./lib/config -run TestConfigurationDoc -update` -->\n"
	docEnd   = "<!-- END reference -->\n"
)

// TestConfigurationDoc: the reference section of docs/configuration.md is
// what WriteMarkdown makes of the table; -update rewrites it.
func TestConfigurationDoc(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "configuration.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, docBegin), strings.Index(doc, docEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no section between %q and %q", path, docBegin, docEnd)
	}
	var want bytes.Buffer
	if err := WriteMarkdown(&want); err != nil {
		t.Fatal(err)
	}
	got := doc[i+len(docBegin) : j]
	if got == want.String() {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc[:i+len(docBegin)]+want.String()+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with lib/config/reference.go; run go test ./lib/config -run TestConfigurationDoc -update\n%s", path, cmp.Diff(want.String(), got))
}

func TestWriteManNamesEveryField(t *testing.T) {
	var b bytes.Buffer
	if err := WriteMan(&b, "2026-01-02", "1.0"); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if !strings.HasPrefix(page, `.TH PUSH_REALTIME.LUA 5 "2026-01-02" "pcappush 1.0"`) {
		t.Errorf("header: %q", page[:min(len(page), 80)])
	}
	for _, f := range Reference() {
		if !strings.Contains(page, ".B "+strings.ReplaceAll(f.Name, "-", `\-`)+"\n") {
			t.Errorf("the man page has no entry for %s", f.Name)
		}
	}
}
