package testutil

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/pcappush/pcappush/lib/manual"
)

// RunFunc is a tool's testable entry point (cliapp.RunFunc).
type RunFunc func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error

// HelpSections splits a tool's --help output into its sections, keyed by
// title ("USAGE", "OPTIONS", "EXAMPLES", ...), each a list of lines with
// the three-space indent removed.
func HelpSections(help string) map[string][]string {
	out := map[string][]string{}
	title := ""
	for _, l := range strings.Split(help, "\n") {
		if l != "" && !strings.HasPrefix(l, " ") && strings.HasSuffix(l, ":") {
			title = strings.TrimSuffix(l, ":")
			continue
		}
		if title != "" {
			out[title] = append(out[title], strings.TrimPrefix(l, "   "))
		}
	}
	return out
}

// ExampleCommands returns the command lines of an EXAMPLES section that
// run tool: lines that are not comments and name it as a word.
func ExampleCommands(examples []string, tool string) []string {
	word := regexp.MustCompile(`(^|[\s|/])` + regexp.QuoteMeta(tool) + `(\s|$)`)
	var cmds []string
	for _, l := range examples {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") && word.MatchString(t) {
			cmds = append(cmds, t)
		}
	}
	return cmds
}

// CheckHelp runs `tool --help` through run and checks what every pcappush
// tool's help must hold: success, a usage line starting with the tool's
// name, at least two example command lines, and every flag of flags (by
// each of its names, with a placeholder for flags that take a value),
// plus --help and --version. It also checks that the tool's page in
// docs/tools begins with what `tool --markdown` generates from that text
// (see CheckToolPage). It returns the help text.
func CheckHelp(t *testing.T, tool string, run RunFunc, flags []cli.Flag) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{tool, "--help"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("%s --help: %v\n%s", tool, err, stderr.String())
	}
	help := stdout.String()
	sec := HelpSections(help)
	if u := sec["USAGE"]; len(u) == 0 || !strings.HasPrefix(u[0], tool+" ") {
		t.Errorf("%s --help: no usage line starting with %q:\n%s", tool, tool+" ", help)
	}
	if ex := ExampleCommands(sec["EXAMPLES"], tool); len(ex) < 2 {
		t.Errorf("%s --help: %d example command lines, want at least 2:\n%s", tool, len(ex), help)
	}
	opts := strings.Join(sec["OPTIONS"], "\n")
	for _, f := range append(flags, cli.HelpFlag, cli.VersionFlag) {
		checkFlag(t, tool, opts, f)
	}
	CheckToolPage(t, tool, run)
	return help
}

// CheckToolPage checks that docs/tools/<tool>.md is current: its
// generated part, up to the line manual.MarkdownEnd, is exactly what
// `tool --markdown` writes. `make docs` regenerates it.
func CheckToolPage(t *testing.T, tool string, run RunFunc) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{tool, "--markdown"}, strings.NewReader(""), &stdout, &stderr); err != nil {
		t.Fatalf("%s --markdown: %v\n%s", tool, err, stderr.String())
	}
	path := filepath.Join(Root(t), "docs", "tools", tool+".md")
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (make docs writes it)", err)
	}
	gen := stdout.String()
	if !strings.HasSuffix(gen, manual.MarkdownEnd+"\n") {
		t.Fatalf("%s --markdown does not end with the line %q", tool, manual.MarkdownEnd)
	}
	if !strings.HasPrefix(string(page), gen) {
		t.Errorf("%s is stale: its generated part differs from `%s --markdown`; run make docs", path, tool)
	}
}

// checkFlag checks that the OPTIONS text lists each name of f, followed
// by an upper-case placeholder when f takes a value, and f's usage.
func checkFlag(t *testing.T, tool, opts string, f cli.Flag) {
	t.Helper()
	df, ok := f.(cli.DocGenerationFlag)
	if !ok {
		t.Errorf("%s: flag %v has no help text", tool, f.Names())
		return
	}
	for _, n := range f.Names() {
		dash := "--"
		if len(n) == 1 {
			dash = "-"
		}
		re := `(?m)(^|, )` + regexp.QuoteMeta(dash+n) + `([ ,]|$)`
		if df.TakesValue() {
			re = `(?m)(^|, )` + regexp.QuoteMeta(dash+n) + ` [A-Z][A-Z0-9_]*([ ,]|$)`
		}
		if !regexp.MustCompile(re).MatchString(opts) {
			t.Errorf("%s --help: OPTIONS lacks %s%s (with a placeholder if it takes a value):\n%s", tool, dash, n, opts)
		}
	}
	usage := strings.ReplaceAll(df.GetUsage(), "`", "")
	if !strings.Contains(opts, usage) {
		t.Errorf("%s --help: OPTIONS lacks the text of --%s: %q", tool, f.Names()[0], usage)
	}
}
