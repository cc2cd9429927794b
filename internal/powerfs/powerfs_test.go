package powerfs

import (
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/pcappush/pcappush/internal/testutil"
)

// The tests run through the kernel: every call below is a real system call
// on the mount, served by the file system in this process.

func write(t *testing.T, p, s string, flag int, fsync bool) {
	t.Helper()
	f, err := os.OpenFile(p, flag|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if fsync {
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
	}
}

func cut(t *testing.T, fs *FS, o CutOptions) CutReport {
	t.Helper()
	r, err := fs.Cut(o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// content returns a file's contents, or "<absent>".
func content(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return "<absent>"
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCut(t *testing.T) {
	fs := MountTest(t, Options{})
	d := fs.Dir()
	p := func(name string) string { return filepath.Join(d, name) }
	// durable: created, written, fsynced, folder fsynced
	write(t, p("kept"), "kept\n", os.O_CREATE, true)
	write(t, p("stale"), "old\n", os.O_CREATE, true)
	write(t, p("moved"), "moved\n", os.O_CREATE, true)
	write(t, p("empty"), "", os.O_CREATE, false)
	testutil.SyncDir(t, d)
	// then volatile changes
	write(t, p("stale"), "new data, never synced\n", os.O_TRUNC, false)
	write(t, p("empty"), "written, never synced\n", 0, false)
	write(t, p("synced-file-only"), "fsynced, folder not\n", os.O_CREATE, true)
	if err := os.Rename(p("moved"), p("moved-to")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(p("sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, p("sub/inner"), "inner\n", os.O_CREATE, true)
	testutil.SyncDir(t, p("sub")) // its entry in the root is not durable
	if got := content(t, p("stale")); got != "new data, never synced\n" {
		t.Fatalf("before the cut stale = %q", got)
	}
	rep := cut(t, fs, CutOptions{})
	for name, want := range map[string]string{
		"kept": "kept\n", "stale": "old\n", "empty": "", "moved": "moved\n",
		"moved-to": "<absent>", "synced-file-only": "<absent>", "sub/inner": "<absent>",
	} {
		if got := content(t, p(name)); got != want {
			t.Errorf("after the cut %s = %q; want %q", name, got, want)
		}
	}
	if _, err := os.Stat(p("sub")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sub after the cut: %v; want it gone", err)
	}
	if rep.Undone != 3 || rep.Reverted != 2 {
		t.Errorf("cut report %+v; want 3 undone (moved-to, synced-file-only, sub/inner), 2 reverted (stale, empty)", rep)
	}
	// What survived keeps working and survives the next cut once synced.
	write(t, p("kept"), "more\n", os.O_APPEND, true)
	cut(t, fs, CutOptions{})
	if got := content(t, p("kept")); got != "kept\nmore\n" {
		t.Errorf("kept after append, fsync and a second cut = %q", got)
	}
}

func TestRenameDurableOnlyWithFolderSync(t *testing.T) {
	fs := MountTest(t, Options{})
	d := fs.Dir()
	a, b := filepath.Join(d, "a.pending"), filepath.Join(d, "a.pcap")
	write(t, a, "split\n", os.O_CREATE, true)
	testutil.SyncDir(t, d)
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
	cut(t, fs, CutOptions{})
	if content(t, a) != "split\n" || content(t, b) != "<absent>" {
		t.Fatalf("rename without folder fsync: %s=%q %s=%q; want it undone", a, content(t, a), b, content(t, b))
	}
	if err := os.Rename(a, b); err != nil {
		t.Fatal(err)
	}
	testutil.SyncDir(t, d)
	cut(t, fs, CutOptions{})
	if content(t, a) != "<absent>" || content(t, b) != "split\n" {
		t.Fatalf("rename with folder fsync: %s=%q %s=%q; want it kept", a, content(t, a), b, content(t, b))
	}
	want := []string{"publish a.pcap from a.pending", "undone a.pcap", "publish a.pcap from a.pending"}
	if got := journal(fs); !slices.Equal(got, want) {
		t.Errorf("journal %q; want %q", got, want)
	}
}

// journal is the journal without pids.
func journal(fs *FS) []string {
	var out []string
	for _, e := range fs.Journal() {
		e.Pid = 0
		out = append(out, e.String())
	}
	return out
}

func TestTornAppendKeepsAPrefix(t *testing.T) {
	fs := MountTest(t, Options{})
	p := filepath.Join(fs.Dir(), "x.ledger")
	write(t, p, "line 1\n", os.O_CREATE, true)
	testutil.SyncDir(t, fs.Dir())
	tail := strings.Repeat("line 2 is long enough to tear\n", 40)
	rng := rand.New(rand.NewSource(1))
	torn := 0
	for i := 0; i < 10; i++ {
		write(t, p, tail, os.O_APPEND, false)
		rep := cut(t, fs, CutOptions{Tear: true, Rand: rng})
		got := content(t, p)
		if !strings.HasPrefix(got, "line 1\n") || !strings.HasPrefix("line 1\n"+tail, got) {
			t.Fatalf("after a torn append: %q is not a prefix of the append", got)
		}
		torn += rep.Torn
		if err := os.Truncate(p, 7); err != nil { // back to line 1, durably
			t.Fatal(err)
		}
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.Sync() //nolint:errcheck // checked by the next round's prefix test
		f.Close()
	}
	if torn < 5 {
		t.Errorf("%d torn appends in 10 cuts", torn)
	}
	// Without Tear the whole append goes.
	write(t, p, tail, os.O_APPEND, false)
	cut(t, fs, CutOptions{})
	if got := content(t, p); got != "line 1\n" {
		t.Errorf("untorn cut kept %q", got)
	}
}

func TestJournalAndRenameFlags(t *testing.T) {
	fs := MountTest(t, Options{})
	d := fs.Dir()
	p := func(name string) string { return filepath.Join(d, name) }
	write(t, p("s1.pcap"), "one\n", os.O_CREATE, true)
	write(t, p("s2.pcap.pending"), "two\n", os.O_CREATE, true)
	err := unix.Renameat2(unix.AT_FDCWD, p("s2.pcap.pending"), unix.AT_FDCWD, p("s1.pcap"), unix.RENAME_NOREPLACE)
	if !errors.Is(err, syscall.EEXIST) {
		t.Errorf("RENAME_NOREPLACE over a name = %v; want EEXIST", err)
	}
	err = unix.Renameat2(unix.AT_FDCWD, p("s2.pcap.pending"), unix.AT_FDCWD, p("s1.pcap"), unix.RENAME_EXCHANGE)
	if !errors.Is(err, syscall.EINVAL) {
		t.Errorf("RENAME_EXCHANGE = %v; want EINVAL", err)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, p("s2.pcap.pending"), unix.AT_FDCWD, p("s2.pcap"), unix.RENAME_NOREPLACE); err != nil {
		t.Errorf("RENAME_NOREPLACE to a free name: %v", err)
	}
	if err := os.Link(p("s2.pcap"), p("s1.pcap")); !errors.Is(err, syscall.EEXIST) {
		t.Errorf("link over a name = %v; want EEXIST", err)
	}
	write(t, p("s3.pcap.pending"), "three\n", os.O_CREATE, false)
	if err := os.Rename(p("s3.pcap.pending"), p("s1.pcap")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p("s2.pcap")); err != nil {
		t.Fatal(err)
	}
	write(t, p("s1.pcap"), "", os.O_TRUNC, false)
	if _, err := os.OpenFile(p("s1.pcap"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644); !errors.Is(err, os.ErrExist) {
		t.Errorf("O_EXCL on a name = %v; want EEXIST", err)
	}
	// The kernel refuses RENAME_NOREPLACE and link over an existing name
	// before asking the file system: no Refused event unless two processes
	// race for the name.
	want := []string{
		"create s1.pcap", "publish s2.pcap from s2.pcap.pending",
		"replace s1.pcap from s3.pcap.pending", "remove s2.pcap", "truncate s1.pcap",
	}
	if got := journal(fs); !slices.Equal(got, want) {
		t.Errorf("journal\n%q\nwant\n%q", got, want)
	}
	if e := fs.Journal()[0]; e.Pid != uint32(os.Getpid()) {
		t.Errorf("event pid %d; want %d", e.Pid, os.Getpid())
	}
}

func TestFileOperations(t *testing.T) {
	fs := MountTest(t, Options{})
	d := fs.Dir()
	p := func(name string) string { return filepath.Join(d, name) }
	write(t, p("f"), "abc", os.O_CREATE, false)
	write(t, p("f"), "def", os.O_APPEND, false)
	if got := content(t, p("f")); got != "abcdef" {
		t.Errorf("O_APPEND: %q", got)
	}
	if err := os.Truncate(p("f"), 2); err != nil || content(t, p("f")) != "ab" {
		t.Errorf("truncate: %v %q", err, content(t, p("f")))
	}
	if err := os.Symlink("f", p("l")); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(p("l")); err != nil || target != "f" || content(t, p("l")) != "ab" {
		t.Errorf("symlink: %q %v %q", target, err, content(t, p("l")))
	}
	if err := os.Link(p("f"), p("g")); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p("g")); err != nil || st.Sys().(*syscall.Stat_t).Nlink != 2 {
		t.Errorf("link: %v %+v", err, st)
	}
	if err := os.Chmod(p("f"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p("f"), 12, 34); err != nil {
		t.Fatal(err)
	}
	mt := time.Date(2021, 5, 24, 9, 50, 30, 123456789, time.UTC)
	if err := os.Chtimes(p("f"), mt, mt); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p("f"))
	if s := st.Sys().(*syscall.Stat_t); err != nil || st.Mode().Perm() != 0o600 || s.Uid != 12 || s.Gid != 34 || !st.ModTime().Equal(mt) {
		t.Errorf("chmod, chown, utimens: %v %v %d:%d %v", err, st.Mode(), s.Uid, s.Gid, st.ModTime())
	}
	if err := os.MkdirAll(p("a/b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p("a")); !errors.Is(err, syscall.ENOTEMPTY) && !errors.Is(err, syscall.EEXIST) {
		t.Errorf("rmdir of a full folder = %v", err)
	}
	if err := os.Remove(p("a/b")); err != nil {
		t.Error(err)
	}
	es, err := os.ReadDir(d)
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	if want := []string{"a", "f", "g", "l"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("readdir = %v, %v; want %v", names, err, want)
	}
	var sfs unix.Statfs_t
	if err := unix.Statfs(d, &sfs); err != nil || sfs.Bsize != 4096 || sfs.Bavail == 0 {
		t.Errorf("statfs: %v %+v", err, sfs)
	}
}

// TestLocks: flock is kept by the kernel, one holder at a time.
func TestLocks(t *testing.T) {
	fs := MountTest(t, Options{})
	p := filepath.Join(fs.Dir(), "x.lock")
	a, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := syscall.Flock(int(a.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("flock: %v", err)
	}
	if err := syscall.Flock(int(b.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Errorf("second flock = %v; want EWOULDBLOCK", err)
	}
}

// TestHookHoldsTheWriter: a hook that blocks keeps the writer inside
// write(2), so a test can cut before the fsync that follows.
func TestHookHoldsTheWriter(t *testing.T) {
	seen, release := make(chan Event, 1), make(chan struct{})
	fs := MountTest(t, Options{Hook: func(e Event) {
		if e.Kind == Write && strings.HasSuffix(e.Path, ".ledger") {
			seen <- e
			<-release
		}
	}})
	p := filepath.Join(fs.Dir(), "x.ledger")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	done := make(chan error, 1)
	go func() { _, err := f.WriteString("entry\n"); done <- err }()
	e := <-seen
	if e.Path != "x.ledger" || e.Size != 6 {
		t.Errorf("hook saw %+v", e)
	}
	select {
	case <-done:
		t.Fatal("write returned while the hook held it")
	case <-time.After(200 * time.Millisecond):
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestCutRefusesOpenFiles: a process still writing would write into the
// state after the cut.
func TestCutRefusesOpenFiles(t *testing.T) {
	fs := MountTest(t, Options{})
	f, err := os.Create(filepath.Join(fs.Dir(), "open"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Cut(CutOptions{Wait: 100 * time.Millisecond}); !errors.Is(err, ErrBusy) {
		t.Errorf("cut with an open file = %v; want ErrBusy", err)
	}
	f.Close()
	cut(t, fs, CutOptions{})
}

func TestTmpfile(t *testing.T) {
	fs := MountTest(t, Options{})
	fd, err := unix.Open(fs.Dir(), unix.O_TMPFILE|unix.O_WRONLY, 0o644)
	if err != nil {
		t.Skipf("O_TMPFILE on FUSE: %v (kernel without it)", err)
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, []byte("anon\n")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(fs.Dir(), "named")
	if err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, p, unix.AT_SYMLINK_FOLLOW); err != nil {
		t.Fatal(err)
	}
	if got := content(t, p); got != "anon\n" {
		t.Errorf("linked O_TMPFILE holds %q", got)
	}
}
