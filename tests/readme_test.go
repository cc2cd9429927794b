package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/cliutil"
)

// TestReadmeListsEveryOption: every option a tool's --help lists is named
// in README.md as `--name` (pcap_decap's --no-DECODER options by their
// decoder's row), so the README cannot fall behind the tools.
func TestReadmeListsEveryOption(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testutil.Root(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, tool := range cliutil.Tools {
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
				if name == "--help" || name == "-h" || name == "--version" || name == "-V" {
					continue
				}
				if !documented(readme, tool, name) {
					t.Errorf("README.md does not name %s's option %s (as `%s`)", tool, name, name)
				}
			}
		}
	}
}

func documented(readme, tool, name string) bool {
	if strings.Contains(readme, "`"+name+" ") || strings.Contains(readme, "`"+name+"`") || strings.Contains(readme, "`"+name+",") {
		return true
	}
	dec, ok := strings.CutPrefix(name, "--no-")
	return ok && tool == "pcap_decap" && strings.Contains(readme, "`--no-DECODER`") && strings.Contains(readme, "| `"+dec+"` |")
}
