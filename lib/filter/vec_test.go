package filter

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestRunWritesFilesAndPipes: with a file or a pipe as output, runs go
// out by writev; the bytes equal those written through a buffer. The pipe
// is read slowly, in small pieces, so that writes are partial and wait.
func TestRunWritesFilesAndPipes(t *testing.T) {
	in := generated(t, 12, 20000)
	for _, expr := range []string{"", "net 192.168.1.0/24 and tcp"} {
		want, _, err := run(t, in, expr)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "out.pcap")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), bytes.NewReader(in), "in", f, Options{Expr: expr}); err != nil {
			t.Fatal(err)
		}
		f.Close()
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q to a file: %d bytes, %v; want %d bytes equal to the buffered output", expr, len(got), err, len(want))
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan []byte)
		go func() {
			var b bytes.Buffer
			p := make([]byte, 4093)
			for i := 0; ; i++ {
				n, err := pr.Read(p)
				b.Write(p[:n])
				if err != nil {
					done <- b.Bytes()
					return
				}
				if i%64 == 0 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
		if _, err := Run(context.Background(), bytes.NewReader(in), "in", pw, Options{Expr: expr}); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		if got := <-done; !bytes.Equal(got, want) {
			t.Errorf("%q to a pipe: %d bytes; want %d bytes equal to the buffered output", expr, len(got), len(want))
		}
		pr.Close()
	}
}

func TestAdvance(t *testing.T) {
	a, b, c := []byte("abcd"), []byte("ef"), []byte("ghijk")
	mk := func() []unix.Iovec {
		return []unix.Iovec{{Base: &a[0], Len: 4}, {Base: &b[0], Len: 2}, {Base: &c[0], Len: 5}}
	}
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "abcdefghijk"}, {1, "bcdefghijk"}, {4, "efghijk"}, {5, "fghijk"}, {6, "ghijk"}, {10, "k"}, {11, ""}} {
		var got []byte
		for _, iov := range advance(mk(), tt.n) {
			got = append(got, unsafeBytes(iov)...)
		}
		if string(got) != tt.want {
			t.Errorf("advance(%d) leaves %q; want %q", tt.n, got, tt.want)
		}
	}
}

func unsafeBytes(iov unix.Iovec) []byte { return unsafe.Slice(iov.Base, iov.Len) }
