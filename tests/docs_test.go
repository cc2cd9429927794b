package tests

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/install"
)

// TestToolPagesNameEveryOption: every option a tool's --help lists is
// named in its page docs/tools/<tool>.md as `--name`, so the pages cannot
// fall behind the tools. (Each tool's own tests check that the page's
// generated part is exactly what the tool generates.)
func TestToolPagesNameEveryOption(t *testing.T) {
	root := testutil.Root(t)
	for _, tool := range install.Tools {
		b, err := os.ReadFile(filepath.Join(root, "docs", "tools", tool+".md"))
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		help := testutil.MustRun(t, nil, testutil.Tool(t, tool), "--help")
		opts := testutil.HelpSections(string(help.Stdout))["OPTIONS"]
		if len(opts) == 0 {
			t.Fatalf("%s --help lists no options", tool)
		}
		for _, l := range opts {
			term, _, _ := strings.Cut(strings.TrimSpace(l), "  ")
			if term == "" {
				continue
			}
			for _, alt := range strings.Split(term, ", ") {
				name := strings.Fields(alt)[0]
				if !strings.Contains(page, "`"+name+" ") && !strings.Contains(page, "`"+name+"`") {
					t.Errorf("docs/tools/%s.md does not name the option %s (as `%s`); run make docs", tool, name, name)
				}
			}
		}
	}
}

// TestArchitectureNamesEveryPackage: docs/architecture.md names every
// package under lib/ as `lib/...`, so that a new package gets its line.
func TestArchitectureNamesEveryPackage(t *testing.T) {
	root := testutil.Root(t)
	b, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	pkgs := goPackages(t, root, "lib")
	if len(pkgs) < 10 {
		t.Fatalf("found only %d packages under lib/: %v", len(pkgs), pkgs)
	}
	for _, p := range pkgs {
		if !strings.Contains(page, "`"+p+"`") {
			t.Errorf("docs/architecture.md does not name the package %s (as `%s`)", p, p)
		}
	}
}

// goPackages lists the folders under root/dir holding non-test Go files,
// as slash paths relative to root.
func goPackages(t *testing.T, root, dir string) []string {
	t.Helper()
	var pkgs []string
	err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err == nil && !slices.Contains(pkgs, filepath.ToSlash(rel)) {
			pkgs = append(pkgs, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

// TestDocLinks: every relative link in README.md and docs/ leads to a
// file that exists and, when it names an anchor, to a heading of that
// file (GitHub's anchors: lower case, punctuation dropped, spaces to
// hyphens).
func TestDocLinks(t *testing.T) {
	root := testutil.Root(t)
	pages := []string{filepath.Join(root, "README.md")}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			pages = append(pages, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) < 8 {
		t.Fatalf("found only %d pages: %v", len(pages), pages)
	}
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	links := 0
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, page)
		for _, m := range link.FindAllStringSubmatch(stripCode(string(b)), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			links++
			file, anchor, _ := strings.Cut(target, "#")
			path := page
			if file != "" {
				path = filepath.Join(filepath.Dir(page), filepath.FromSlash(file))
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Errorf("%s: link %s: %v", rel, target, err)
				continue
			}
			if anchor == "" {
				continue
			}
			if st.IsDir() {
				t.Errorf("%s: link %s: an anchor in a folder", rel, target)
				continue
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(anchors(string(b)), anchor) {
				t.Errorf("%s: link %s: no heading with anchor #%s in %s (it has %v)", rel, target, anchor, filepath.Base(path), anchors(string(b)))
			}
		}
	}
	if links < 50 {
		t.Errorf("checked only %d links", links)
	}
}

// stripCode removes fenced code blocks, whose brackets are not links.
func stripCode(md string) string {
	var out []string
	fenced := false
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			fenced = !fenced
			continue
		}
		if !fenced {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// anchors returns the GitHub anchors of a page's headings.
func anchors(md string) []string {
	var out []string
	for _, l := range strings.Split(stripCode(md), "\n") {
		if !strings.HasPrefix(l, "#") {
			continue
		}
		h := strings.TrimSpace(strings.TrimLeft(l, "#"))
		var b strings.Builder
		for _, r := range strings.ToLower(h) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
				b.WriteRune(r)
			}
		}
		out = append(out, b.String())
	}
	return out
}

func TestAnchors(t *testing.T) {
	got := anchors("# Title\n## Checking a configuration: --dry-run\n```\n# not a heading\n```\n### Ledger (pcap_split)\n## Reloading: SIGHUP\n")
	want := []string{"title", "checking-a-configuration---dry-run", "ledger-pcap_split", "reloading-sighup"}
	if !slices.Equal(got, want) {
		t.Errorf("anchors = %q; want %q", got, want)
	}
}
