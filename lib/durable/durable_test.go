package durable

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantLink checks that err is a *LinkError refusing v's link, and that v
// is untouched.
func wantLink(t *testing.T, what string, err error, v testutil.Victim) {
	t.Helper()
	var le *LinkError
	if !errors.As(err, &le) || le.Path != v.Link {
		t.Fatalf("%s: error %v; want a *LinkError naming %s", what, err, v.Link)
	}
	v.Refused(what, err.Error())
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "uid")
	for _, s := range []string{"one\n", "two\n"} {
		if err := WriteFile(p, []byte(s), 0o640); err != nil {
			t.Fatal(err)
		}
		if got := read(t, p); got != s {
			t.Fatalf("after WriteFile(%q) the file holds %q", s, got)
		}
	}
	if got := testutil.Names(t, dir); !cmp.Equal(got, []string{"uid"}) {
		t.Errorf("folder holds %v; want only uid (no temporary file left)", got)
	}
	// A write into a missing folder fails and leaves nothing.
	if err := WriteFile(filepath.Join(dir, "none", "x"), nil, 0o640); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("WriteFile into a missing folder: %v", err)
	}
	// A link planted at the name is replaced by the file; its target is
	// untouched.
	l := filepath.Join(dir, "link")
	v := testutil.PlantLink(t, l)
	if err := WriteFile(l, []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(v.File); string(b) != "victim" || read(t, l) != "new" {
		t.Errorf("WriteFile over a link wrote through it")
	}
}

func TestCreateRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	v := testutil.PlantLink(t, filepath.Join(dir, "x.pcap.pending"))
	_, err := Create(v.Link, 0o640)
	wantLink(t, "Create over a link", err, v)
	// A dangling link too.
	d := filepath.Join(dir, "dangling")
	os.Symlink(filepath.Join(dir, "nowhere"), d)
	_, err = Create(d, 0o640)
	if !errors.As(err, new(*LinkError)) {
		t.Errorf("Create over a dangling link: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("Create made the dangling link's target")
	}
	// A regular file is "exists", not a link.
	r := filepath.Join(dir, "regular")
	os.WriteFile(r, nil, 0o600)
	if _, err := Create(r, 0o640); !errors.Is(err, fs.ErrExist) || errors.As(err, new(*LinkError)) {
		t.Errorf("Create over a file: %v; want fs.ErrExist", err)
	}
}

func TestPublishNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	final := filepath.Join(dir, "a.pcap")
	os.WriteFile(final, []byte("published"), 0o640)
	before, _ := os.Stat(final)
	f, err := Create(final+".pending", 0o640)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("new"))
	if err := f.Publish(final); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("Publish over a published file: %v; want fs.ErrExist", err)
	}
	after, _ := os.Stat(final)
	if read(t, final) != "published" || !os.SameFile(before, after) {
		t.Fatal("Publish replaced a published file")
	}
	if read(t, final+".pending") != "new" {
		t.Fatal("Publish lost the file it could not publish")
	}
	// Then under another name.
	if err := f.Publish(filepath.Join(dir, "a_2.pcap")); err != nil {
		t.Fatal(err)
	}
	if got := testutil.Names(t, dir); !cmp.Equal(got, []string{"a.pcap", "a_2.pcap"}) {
		t.Errorf("folder holds %v", got)
	}
	f.Abort() // after Publish: nothing to remove
	if read(t, filepath.Join(dir, "a_2.pcap")) != "new" {
		t.Error("Abort after Publish removed the published file")
	}
	// A link at the final name is refused, naming it.
	v := testutil.PlantLink(t, filepath.Join(dir, "b.pcap"))
	g, _ := Create(v.Link+".pending", 0o640)
	wantLink(t, "Publish over a link", g.Publish(v.Link), v)
	g.Abort()
	if _, err := os.Stat(v.Link + ".pending"); !errors.Is(err, fs.ErrNotExist) {
		t.Error("Abort left the pending file")
	}
}

// TestLinkRename: the fallback for file systems without RENAME_NOREPLACE
// refuses an existing name the same way.
func TestLinkRename(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a"), filepath.Join(dir, "b"), filepath.Join(dir, "c")
	os.WriteFile(a, []byte("a"), 0o640)
	os.WriteFile(b, []byte("b"), 0o640)
	if err := linkRename(a, b); !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("linkRename onto an existing name: %v", err)
	}
	if err := linkRename(a, c); err != nil {
		t.Fatal(err)
	}
	if got := testutil.Names(t, dir); !cmp.Equal(got, []string{"b", "c"}) || read(t, c) != "a" || read(t, b) != "b" {
		t.Errorf("after linkRename the folder holds %v", got)
	}
}

func TestLogTornLineCut(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "ledger")
	l, err := OpenLog(p, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append([]byte("one\n")); err != nil {
		t.Fatal(err)
	}
	l.Close()
	// A cut tore the next line.
	f, _ := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte(`{"name":"tw`))
	f.Close()
	l, err = OpenLog(p, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	if l.Size() != 4 {
		t.Errorf("Size after cutting the torn line = %d; want 4", l.Size())
	}
	l.Append([]byte("two\n"))
	l.Close()
	if got := read(t, p); got != "one\ntwo\n" {
		t.Errorf("log holds %q; want the torn line cut off", got)
	}
	// A file torn before its first newline is emptied.
	q := filepath.Join(dir, "q")
	os.WriteFile(q, []byte("half"), 0o640)
	if l, err = OpenLog(q, 0o640); err != nil {
		t.Fatal(err)
	}
	l.Close()
	if got := read(t, q); got != "" {
		t.Errorf("log holds %q; want nothing", got)
	}
}

func TestLogRefuses(t *testing.T) {
	dir := t.TempDir()
	v := testutil.PlantLink(t, filepath.Join(dir, "x.ledger"))
	p := v.Link
	_, err := OpenLog(p, 0o640)
	wantLink(t, "OpenLog of a link", err, v)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := OpenLog(fifo, 0o640); done <- err }()
	select {
	case err := <-done:
		if !errors.As(err, new(*NotRegularError)) {
			t.Errorf("OpenLog of a FIFO: %v; want a *NotRegularError", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("OpenLog of a FIFO blocks")
	}
	_, err = OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
	wantLink(t, "OpenFile of a link", err, v)
	_, err = ReadFile(p)
	wantLink(t, "ReadFile of a link", err, v)
}

func TestMkdirAll(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b", "c")
	if err := MkdirAll(p, 0o750); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		t.Fatalf("MkdirAll made no folder: %v", err)
	}
	if err := MkdirAll(p, 0o750); err != nil {
		t.Errorf("MkdirAll of an existing folder: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o640)
	if err := MkdirAll(filepath.Join(dir, "file", "x"), 0o750); err == nil {
		t.Error("MkdirAll under a file succeeded")
	}
}

func TestCheckFolder(t *testing.T) {
	dir := t.TempDir()
	if err := CheckFolder(dir); err != nil {
		t.Fatalf("CheckFolder of a private folder: %v", err)
	}
	for _, tc := range []struct {
		mode fs.FileMode
		want string
	}{
		{0o770, "is group-writable (mode 0770)"},
		{0o757, "is world-writable (mode 0757)"},
		{0o777, "is group- and world-writable (mode 0777)"},
		{0o1777, "is group- and world-writable (mode 0777)"},
	} {
		os.Chmod(dir, tc.mode)
		err := CheckFolder(dir)
		if !errors.As(err, new(*FolderError)) || !strings.Contains(err.Error(), dir+" "+tc.want) || !strings.Contains(err.Error(), "chmod go-w "+dir) {
			t.Errorf("CheckFolder of mode %v: %v; want %q", tc.mode, err, tc.want)
		}
	}
	os.Chmod(dir, 0o750)
	if os.Geteuid() != 0 {
		t.Skip("changing a folder's owner needs root")
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := CheckFolder(dir); err == nil || !strings.Contains(err.Error(), "is owned by uid 65534, not by the user running this (uid 0)") {
		t.Errorf("CheckFolder of another user's folder: %v", err)
	}
}

func TestSweepTemps(t *testing.T) {
	dir := t.TempDir()
	f, err := CreateTemp(filepath.Join(dir, "status.json"), 0o640)
	if err != nil {
		t.Fatal(err)
	}
	f.File().Close()
	os.WriteFile(filepath.Join(dir, ".keep.tmp"), nil, 0o640) // not ours
	if n := SweepTemps(dir, time.Hour); n != 0 {
		t.Errorf("SweepTemps removed %d young files", n)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(f.Name(), old, old)
	os.Chtimes(filepath.Join(dir, ".keep.tmp"), old, old)
	if n := SweepTemps(dir, time.Hour); n != 1 {
		t.Errorf("SweepTemps removed %d files; want 1", n)
	}
	if got := testutil.Names(t, dir); !cmp.Equal(got, []string{".keep.tmp"}) {
		t.Errorf("folder holds %v", got)
	}
}
