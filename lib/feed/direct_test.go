package feed

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDirectRegularFile(t *testing.T) {
	in := bytes.Repeat([]byte("abcdefgh"), 300000)
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, in, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := New(f, Options{Stop: make(chan struct{})})
	if _, ok := r.(*direct); !ok {
		t.Fatalf("New(regular file) = %T; want a direct reader", r)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, in) {
		t.Fatalf("read %d bytes, %v; want %d", len(got), err, len(in))
	}
}

// TestDirectPipeStopAndIdle blocks a read on an idle OS pipe: the idle
// callback runs while it waits, and a stop request ends the wait at once.
func TestDirectPipeStopAndIdle(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	stop := make(chan struct{})
	idles := make(chan time.Duration, 1000)
	r := New(pr, Options{Stop: stop, Idle: 20 * time.Millisecond, OnIdle: func(q time.Duration) error { idles <- q; return nil }})
	if _, ok := r.(*direct); !ok {
		t.Fatalf("New(pipe) = %T; want a direct reader", r)
	}
	if _, err := pw.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 100)
	if n, err := r.Read(b); n != 5 || err != nil {
		t.Fatalf("read %d, %v; want 5 bytes", n, err)
	}
	done := make(chan error, 1)
	go func() { _, err := r.Read(b); done <- err }()
	time.Sleep(150 * time.Millisecond)
	close(stop)
	select {
	case err := <-done:
		if !errors.Is(err, ErrStopped) {
			t.Fatalf("read after stop: %v; want ErrStopped", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("stop did not interrupt the waiting read")
	}
	if n := len(idles); n < 3 {
		t.Errorf("%d idle calls in 150 ms of waiting at 20 ms; want several", n)
	}
}

func TestDirectPipeEOF(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r := New(pr, Options{})
	go func() {
		pw.Write(bytes.Repeat([]byte("x"), 200000)) //nolint:errcheck
		pw.Close()
	}()
	got, err := io.ReadAll(r)
	if err != nil || len(got) != 200000 {
		t.Fatalf("read %d bytes, %v; want 200000 and EOF", len(got), err)
	}
}
