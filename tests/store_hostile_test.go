package tests

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// hostileStore is a store whose capture "cap" holds, between good chunks,
// a FIFO named like a chunk, a FIFO without extension and a chunk that is
// a symbolic link to a file outside the store starting with "root".
func hostileStore(t *testing.T) (store string, good []rec) {
	t.Helper()
	root := t.TempDir()
	store = filepath.Join(root, "store")
	dir := filepath.Join(store, "cap")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := readRecs(t, gen(t, "--seed", "41", "--packets", "300"))
	writeRecFile(t, filepath.Join(dir, "x1.pcap"), src[:100])
	writeRecFile(t, filepath.Join(dir, "x4.pcap"), src[100:200])
	writeRecFile(t, filepath.Join(dir, "x6.pcap"), src[200:])
	for _, fifo := range []string{"x2.pcap", "x3"} {
		if err := syscall.Mkfifo(filepath.Join(dir, fifo), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(root, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "x5.pcap")); err != nil {
		t.Fatal(err)
	}
	return store, src
}

// TestStreamCatNeverOpensFIFOs: a FIFO among a capture's chunks blocked
// stream_cat in open for ever, deaf to SIGTERM. It is now reported without
// being opened: an error (exit 1) after the chunks before it, or with
// --skip-bad a warning and the rest; a link out of the store is not
// followed and none of its bytes are shown; --list counts neither.
func TestStreamCatNeverOpensFIFOs(t *testing.T) {
	store, src := hostileStore(t)
	start := time.Now()
	res := streamCat(t, "--store", store, "cap")
	stderr := string(res.Stderr)
	if res.Code != 1 || !strings.Contains(stderr, "stream_cat: chunk x2.pcap: not a regular file: a named pipe (FIFO), never opened") {
		t.Fatalf("exit %d, stderr:\n%s", res.Code, stderr)
	}
	sameRecs(t, "before the FIFO", src[:100], parseRecs(t, "stdout", res.Stdout))

	res = streamCat(t, "--store", store, "--skip-bad", "cap")
	stderr = string(res.Stderr)
	if res.Code != 0 {
		t.Fatalf("--skip-bad: exit %d\n%s", res.Code, stderr)
	}
	for _, want := range []string{
		"warning: skipping the rest of chunk x2.pcap: chunk x2.pcap: not a regular file: a named pipe (FIFO), never opened",
		"warning: skipping the rest of chunk x5.pcap: chunk x5.pcap: not a regular file: a symbolic link, not followed",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("--skip-bad stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "x3") || strings.Contains(stderr, "root") || strings.Contains(stderr, "0x746f6f72") {
		t.Errorf("stderr names the extensionless FIFO or shows the link's bytes:\n%s", stderr)
	}
	sameRecs(t, "every regular chunk", src, parseRecs(t, "stdout", res.Stdout))

	list := streamCat(t, "--store", store, "--list")
	if list.Code != 0 || !strings.Contains(string(list.Stdout), "cap           3") {
		t.Errorf("--list counts other than the 3 regular chunks:\n%s%s", list.Stdout, list.Stderr)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("reading took %v", d)
	}
}

// TestStreamCatFollowPastFIFO: following a live capture, a FIFO chunk is
// passed over with a warning, the chunks after it are read, and SIGTERM
// ends stream_cat at once.
func TestStreamCatFollowPastFIFO(t *testing.T) {
	store, src := hostileStore(t)
	out := &testutil.SyncBuffer{}
	cmd, stderr := startTool(t, out, "stream_cat", "--store", store, "--follow", "--skip-bad", "--no-ticks", "cap")
	waitUntil(t, 10*time.Second, "the warning about the FIFO", func() bool { return strings.Contains(stderr.String(), "x2.pcap: not a regular file") })
	if code := termWithin(t, cmd, time.Second); code != 0 {
		t.Fatalf("exit %d after SIGTERM\n%s", code, stderr.String())
	}
	sameRecs(t, "followed", src, parseRecs(t, "stdout", out.Bytes()))
}
