package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefreshDoc: the rows of the suites run replace theirs, the others
// stay, in suite order, and the text around the markers is kept.
func TestRefreshDoc(t *testing.T) {
	p := filepath.Join(t.TempDir(), "perf.md")
	old := "# Title\n\ntext before\n\n" + tableBegin + "\n" + strings.Join(tableHead, "\n") + "\n" +
		"| `cat` | old cat row |\n| `split` | old split row |\n" + tableEnd + "\n\ntext after\n"
	if err := os.WriteFile(p, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	rows := []row{{suite: "cat", title: "a | b", ours: "stream_cat | cat", peer: "cat | cat", oursMBps: 200, peerMBps: 100, target: 2, cpuRatio: 1.5, rssKB: 70 << 10, rssLimitKB: 64 << 10, spread: "1-2 s", when: "today"}}
	if err := refreshDoc(p, rows, []string{"cat", "push"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	got := string(b)
	want := "# Title\n\ntext before\n\n" + tableBegin + "\n" + strings.Join(tableHead, "\n") + "\n" +
		"| `cat` | a \\| b | `stream_cat \\| cat` | `cat \\| cat` | 200 | 100 | 2.00x | 2.0x, met | 1.50x | 70.0 MB (above 64 MB) | 1-2 s | today |\n" +
		"| `split` | old split row |\n" + tableEnd + "\n\ntext after\n"
	if got != want {
		t.Errorf("refreshed file:\n%s\nwant:\n%s", got, want)
	}
	if err := os.WriteFile(p, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := refreshDoc(p, rows, []string{"cat"}); err == nil || !strings.Contains(err.Error(), "no table markers") {
		t.Errorf("without markers: %v; want an error naming them", err)
	}
}
