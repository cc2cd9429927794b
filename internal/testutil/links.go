package testutil

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Victim is a file a planted symbolic link points to.
type Victim struct {
	t    testing.TB
	File string // the file the link points to, holding "victim"
	Link string // the planted link
}

// PlantLink makes path a symbolic link to a new file holding "victim", as
// someone who can write path's folder could, creating the folder.
func PlantLink(t testing.TB, path string) Victim {
	t.Helper()
	v := Victim{t: t, File: filepath.Join(t.TempDir(), "victim"), Link: path}
	if err := os.WriteFile(v.File, []byte("victim"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(v.File, path); err != nil {
		t.Fatal(err)
	}
	return v
}

// Untouched fails the test when the victim was written, or the link
// replaced or removed.
func (v Victim) Untouched() {
	v.t.Helper()
	if b, err := os.ReadFile(v.File); err != nil || string(b) != "victim" {
		v.t.Errorf("the file %s links to was written: it holds %q (%v)", v.Link, b, err)
	}
	if st, err := os.Lstat(v.Link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		v.t.Errorf("the link %s was replaced or removed", v.Link)
	}
}

// Refused fails the test unless text (an error or a log) names the link
// as refused, and the victim is untouched.
func (v Victim) Refused(what, text string) {
	v.t.Helper()
	if !strings.Contains(text, v.Link+" is a symbolic link: refused") {
		v.t.Errorf("%s: %q does not refuse the link %s", what, text, v.Link)
	}
	v.Untouched()
}

// Names lists the names in dir, sorted.
func Names(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Name()
	}
	sort.Strings(out)
	return out
}
