package feed

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"time"
)

func TestDeliversEverything(t *testing.T) {
	in := bytes.Repeat([]byte("0123456789"), 100000)
	f := New(iotest.HalfReader(bytes.NewReader(in)), Options{ChunkSize: 4096, Chunks: 2})
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, in) {
		t.Fatalf("read %d bytes, %v; want %d", len(got), err, len(in))
	}
}

func TestPassesReadErrorsAfterData(t *testing.T) {
	boom := errors.New("boom")
	f := New(iotest.TimeoutReader(bytes.NewReader([]byte("abc"))), Options{})
	b := make([]byte, 10)
	n, err := f.Read(b)
	if n != 3 || err != nil {
		t.Fatalf("first read %d, %v; want 3 bytes", n, err)
	}
	if _, err := f.Read(b); !errors.Is(err, iotest.ErrTimeout) {
		t.Fatalf("second read %v; want the timeout", err)
	}
	f = New(iotest.ErrReader(boom), Options{})
	if _, err := f.Read(b); !errors.Is(err, boom) {
		t.Fatalf("read %v; want boom", err)
	}
	if _, err := f.Read(b); !errors.Is(err, boom) {
		t.Fatalf("read again %v; want boom again", err)
	}
}

func TestStopDeliversWhatWasReadThenStops(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	stop := make(chan struct{})
	f := New(pr, Options{Stop: stop})
	go pw.Write([]byte("hello")) //nolint:errcheck
	b := make([]byte, 3)
	if n, err := f.Read(b); n != 3 || err != nil {
		t.Fatalf("read %d, %v", n, err)
	}
	close(stop)
	if n, err := f.Read(b); n != 2 || err != nil || string(b[:2]) != "lo" {
		t.Fatalf("after stop: %q, %v; want the rest of what was read", b[:n], err)
	}
	if _, err := f.Read(b); !errors.Is(err, ErrStopped) {
		t.Fatalf("then %v; want ErrStopped", err)
	}
}

func TestIdleCalledWhileWaiting(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	calls := make(chan time.Duration, 100)
	done := errors.New("enough")
	f := New(pr, Options{Idle: 10 * time.Millisecond, OnIdle: func(q time.Duration) error {
		calls <- q
		if len(calls) >= 3 {
			return done
		}
		return nil
	}})
	start := time.Now()
	if _, err := f.Read(make([]byte, 1)); !errors.Is(err, done) {
		t.Fatalf("read %v; want the idle callback's error", err)
	}
	if len(calls) != 3 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("%d idle calls in %v", len(calls), time.Since(start))
	}
	var last time.Duration
	for len(calls) > 0 {
		q := <-calls
		if q < last {
			t.Errorf("quiet time went back from %v to %v", last, q)
		}
		last = q
	}
}
