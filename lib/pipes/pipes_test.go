package pipes

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// source writes a file of n patterned bytes and opens it.
func source(t *testing.T, n int) (*os.File, []byte) {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	p := filepath.Join(t.TempDir(), "src")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, b
}

func pipeSize(t *testing.T, f *os.File) int {
	t.Helper()
	n, err := unix.FcntlInt(f.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGrow: a pipe is enlarged to Size; anything else is left alone.
func TestGrow(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	defer pw.Close()
	if !Grow(pw) {
		t.Error("Grow(pipe) = false; want true")
	}
	if n := pipeSize(t, pr); n < Size {
		t.Errorf("pipe size after Grow %d; want %d", n, Size)
	}
	if Grow(bytes.NewReader(nil)) {
		t.Error("Grow(bytes.Reader) = true; want false")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if Grow(f) {
		t.Error("Grow(regular file) = true; want false")
	}
	if Grow((*os.File)(nil)) {
		t.Error("Grow(nil file) = true; want false")
	}
}

// TestMoveIntoPipe: ranges spliced into a pipe arrive in order, exactly,
// whatever their size against the pipe's, and the source's offset stays.
func TestMoveIntoPipe(t *testing.T) {
	src, want := source(t, 3<<20+123)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	m := NewMover(pw)
	if !m.Pipe() {
		t.Fatal("NewMover(pipe).Pipe() = false")
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(pr)
		got <- b
	}()
	ranges := [][2]int64{{0, 24}, {24, 1}, {25, 2 << 20}, {25 + 2<<20, int64(len(want)) - 25 - 2<<20}}
	for _, r := range ranges {
		n, err := m.Move(src, r[0], r[1])
		if err != nil || n != r[1] {
			t.Fatalf("Move(%d, %d) = %d, %v; want %d, nil", r[0], r[1], n, err, r[1])
		}
	}
	pw.Close()
	if b := <-got; !bytes.Equal(b, want) {
		t.Errorf("the pipe carried %d bytes differing from the file's %d", len(b), len(want))
	}
	if off, _ := src.Seek(0, io.SeekCurrent); off != 0 {
		t.Errorf("source offset after Move = %d; want 0", off)
	}
}

// TestMoveIntoFile: into a regular file, bytes land at the file's
// position, between ordinary writes.
func TestMoveIntoFile(t *testing.T) {
	src, data := source(t, 1<<20)
	p := filepath.Join(t.TempDir(), "out")
	out, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	m := NewMover(out)
	if m == nil || m.Pipe() {
		t.Fatalf("NewMover(regular file) = %v; want a file mover", m)
	}
	out.Write([]byte("head"))
	if n, err := m.Move(src, 100, 5000); err != nil || n != 5000 {
		t.Fatalf("Move = %d, %v; want 5000, nil", n, err)
	}
	out.Write([]byte("tail"))
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte("head"), data[100:5100]...), "tail"...)
	if !bytes.Equal(got, want) {
		t.Errorf("file holds %d bytes, not the %d expected", len(got), len(want))
	}
}

// TestMoveRefused: the kernel refuses copy_file_range into a file opened
// for appending; Move says so with nothing moved, and stays off.
func TestMoveRefused(t *testing.T) {
	src, _ := source(t, 4096)
	out, err := os.OpenFile(filepath.Join(t.TempDir(), "out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	m := NewMover(out)
	for i := 0; i < 2; i++ {
		if n, err := m.Move(src, 0, 100); n != 0 || !errors.Is(err, ErrUnsupported) {
			t.Errorf("Move into an O_APPEND file = %d, %v; want 0, ErrUnsupported", n, err)
		}
	}
	if NewMover(bytes.NewBuffer(nil)) != nil {
		t.Error("NewMover(bytes.Buffer) != nil")
	}
	var nilMover *Mover
	if _, err := nilMover.Move(src, 0, 1); !errors.Is(err, ErrUnsupported) {
		t.Errorf("nil Mover: %v; want ErrUnsupported", err)
	}
}

// TestMoveClosedReader: a pipe whose reader has gone gives EPIPE.
func TestMoveClosedReader(t *testing.T) {
	src, _ := source(t, 4096)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	pr.Close()
	if _, err := NewMover(pw).Move(src, 0, 100); !errors.Is(err, syscall.EPIPE) {
		t.Errorf("Move into a pipe without reader: %v; want EPIPE", err)
	}
}

// TestMovePastEnd: a range beyond the end of the file is an error, not a
// hang, and not a refusal.
func TestMovePastEnd(t *testing.T) {
	src, _ := source(t, 4096)
	out, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	n, err := NewMover(out).Move(src, 4000, 200)
	if err == nil || errors.Is(err, ErrUnsupported) || n != 96 {
		t.Errorf("Move past the end = %d, %v; want 96 and an error", n, err)
	}
}
