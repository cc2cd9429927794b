package tests

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/pcapio"
)

// arrival is a record read from stream_cat's stdout and when it came.
type arrival struct {
	rec
	tick bool
	at   time.Time
}

// follower runs stream_cat and collects what it writes as it comes.
type follower struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	mu     sync.Mutex
	got    []arrival
	done   chan error // the reader's end: nil at a clean end of the stream
}

func startFollow(t *testing.T, args ...string) *follower {
	t.Helper()
	f := &follower{cmd: exec.Command(testutil.Tool(t, "stream_cat"), args...), done: make(chan error, 1)}
	f.cmd.Stderr = &f.stderr
	out, err := f.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cmd.Process.Kill() }) //nolint:errcheck // may have exited
	go f.read(out)
	return f
}

// read parses the stream record by record, noting arrival times.
func (f *follower) read(out io.Reader) {
	br := bufio.NewReader(out)
	if _, err := io.ReadFull(br, make([]byte, pcapio.HeaderLen)); err != nil {
		f.done <- fmt.Errorf("header: %w", err)
		return
	}
	for {
		h := make([]byte, 16)
		if _, err := io.ReadFull(br, h); err != nil {
			if err == io.EOF {
				err = nil
			}
			f.done <- err
			return
		}
		le := binary.LittleEndian
		data := make([]byte, le.Uint32(h[8:]))
		if _, err := io.ReadFull(br, data); err != nil {
			f.done <- err
			return
		}
		a := arrival{rec: rec{int64(le.Uint32(h))*1e9 + int64(le.Uint32(h[4:])), le.Uint32(h[12:]), string(data)}, at: time.Now()}
		a.tick = len(data) == 0 && a.OrigLen == 0
		f.mu.Lock()
		f.got = append(f.got, a)
		f.mu.Unlock()
	}
}

func (f *follower) records() []arrival {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.got)
}

// stop stops stream_cat (SIGSTOP) and waits until every thread of it is
// stopped.
func (f *follower) stop(t *testing.T) {
	t.Helper()
	pid := f.cmd.Process.Pid
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		stats, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		stopped := len(stats) > 0
		for _, st := range stats {
			b, _ := os.ReadFile(st)
			i := bytes.LastIndexByte(b, ')')
			stopped = stopped && i > 0 && len(b) > i+2 && b[i+2] == 'T'
		}
		if stopped {
			return
		}
	}
	t.Fatal("stream_cat did not stop")
}

// waitFor waits until n records came out and returns the time.
func (f *follower) waitFor(t *testing.T, n int) time.Time {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if len(f.records()) >= n {
			return time.Now()
		}
	}
	t.Fatalf("stream_cat gave %d records in 10 s; want %d\n%s", len(f.records()), n, f.stderr.String())
	return time.Time{}
}

// wait waits for stream_cat to exit and its stream to end.
func (f *follower) wait(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case err := <-f.done:
		if err != nil {
			t.Fatalf("reading stream_cat's output: %v", err)
		}
	case <-time.After(timeout):
		t.Fatalf("stream_cat still running after %v\n%s", timeout, f.stderr.String())
	}
	err := f.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// recorder writes a live chunk the way a packet recorder does.
// newRecorder makes the capture folder name in store and a recorder
// writing its first chunk, chunk.
func newRecorder(t *testing.T, store, name, chunk string) *recorder {
	dir := filepath.Join(store, name)
	os.Mkdir(dir, 0o755)
	r := &recorder{t: t, dir: dir, done: map[int64]time.Time{}}
	r.rotate(chunk)
	return r
}

type recorder struct {
	t       *testing.T
	dir     string
	f       *os.File
	n       int
	written []rec               // packets written, in order
	done    map[int64]time.Time // packet time -> when its last byte was written
}

func (r *recorder) rotate(name string) {
	if r.f != nil {
		r.f.Close()
	}
	f, err := os.Create(filepath.Join(r.dir, name))
	if err != nil {
		r.t.Fatal(err)
	}
	r.f = f
	var h [pcapio.HeaderLen]byte
	pcapio.PutHeader(h[:], 1, 65535)
	r.write(h[:])
}

func (r *recorder) write(b []byte) {
	if _, err := r.f.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

// packet writes one packet stamped now; split writes it in two pieces,
// cutting the record in the middle, a few milliseconds apart.
func (r *recorder) packet(split bool) rec {
	r.n++
	x := rec{Time: time.Now().UnixNano(), Data: fmt.Sprintf("packet %06d %s", r.n, strings.Repeat("x", r.n%300))}
	x.OrigLen = uint32(len(x.Data))
	b := make([]byte, 16+len(x.Data))
	pcapio.PutRecordHeader(b, x.Time, uint32(len(x.Data)), x.OrigLen) //nolint:errcheck // a current time encodes
	copy(b[16:], x.Data)
	if split {
		cut := 5 + r.n%len(b[5:])
		r.write(b[:cut])
		time.Sleep(3 * time.Millisecond)
		b = b[cut:]
	}
	r.done[x.Time] = time.Now() // the packet is complete once this write returns
	r.write(b)
	return x
}

func (r *recorder) packets(n int, gap time.Duration, keep bool) {
	for i := 0; i < n; i++ {
		x := r.packet(i%3 == 0)
		if keep {
			r.written = append(r.written, x)
		}
		time.Sleep(gap)
	}
}

// TestStreamCatFollow: a recorder writes packets in pieces, rotates, goes
// quiet, and has an unread chunk deleted by its ring buffer; stream_cat
// gives every packet written (but the deleted chunk's) within a second,
// ticks while idle, warns about the loss, and ends on the marker.
func TestStreamCatFollow(t *testing.T) {
	store := t.TempDir()
	r := newRecorder(t, store, "live", "k1.pcap")
	r.packets(20, 2*time.Millisecond, true)
	f := startFollow(t, "--store", store, "--follow", "live")
	caughtUp := f.waitFor(t, 20) // packets written from now on count for latency
	r.packets(150, 4*time.Millisecond, true)
	r.rotate("k2.pcap")
	r.packets(150, 4*time.Millisecond, true)
	quietFrom := time.Now()
	time.Sleep(3500 * time.Millisecond) // quiet: ticks
	quietTo := time.Now()
	r.packets(10, 4*time.Millisecond, true)
	f.stop(t)
	r.rotate("k3.pcap")
	r.packets(40, 0, false)
	r.rotate("k4.pcap")
	os.Remove(filepath.Join(r.dir, "k3.pcap"))
	f.cmd.Process.Signal(syscall.SIGCONT) //nolint:errcheck
	r.packets(100, 4*time.Millisecond, true)
	r.f.Close()
	os.WriteFile(filepath.Join(r.dir, ".complete"), nil, 0o644)
	if code := f.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, f.stderr.String())
	}
	got := f.records()
	var pk []rec
	var lat []time.Duration
	for _, a := range got {
		if !a.tick {
			pk = append(pk, a.rec)
			if r.done[a.Time].After(caughtUp) {
				lat = append(lat, a.at.Sub(r.done[a.Time]))
			}
		}
	}
	sameRecs(t, "followed packets", r.written, pk)
	checkTicks(t, got, quietFrom, quietTo)
	slices.Sort(lat)
	med, p99, worst := lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1]
	t.Logf("latency from the write of a packet's last byte to stream_cat's output: median %v, p99 %v, max %v (%d packets)", med, p99, worst, len(lat))
	if worst > time.Second {
		t.Errorf("a packet took %v to come out; want under 1 s", worst)
	}
	stderr := f.stderr.String()
	if !strings.Contains(stderr, "stream_cat: warning: chunk k3.pcap was deleted before it was read") || !strings.Contains(stderr, "the first packet of k4.pcap") {
		t.Errorf("stderr lacks the lost chunk:\n%s", stderr)
	}
}

// checkTicks: ticks never go backwards, never behind a record emitted
// before them, never ahead of a packet emitted after them; some came
// while the recorder was quiet.
func checkTicks(t *testing.T, got []arrival, quietFrom, quietTo time.Time) {
	t.Helper()
	var wm, lastTick int64
	quiet := 0
	for i, a := range got {
		if a.tick {
			if a.Time < lastTick || a.Time < wm {
				t.Fatalf("tick %d at %d goes back (last tick %d, last record %d)", i, a.Time, lastTick, wm)
			}
			for _, b := range got[i+1:] {
				if !b.tick && b.Time < a.Time {
					t.Fatalf("tick at %d is ahead of a later packet at %d", a.Time, b.Time)
				}
			}
			lastTick = a.Time
			if a.at.After(quietFrom.Add(time.Second)) && a.at.Before(quietTo) {
				quiet++
			}
		}
		wm = max(wm, a.Time)
	}
	if quiet < 2 {
		t.Errorf("%d ticks while the recorder was quiet for %v; want about one a second", quiet, quietTo.Sub(quietFrom))
	}
}

// TestStreamCatFollowEndsOnNewerCapture: without a marker, following ends
// once a newer capture exists and this one has been quiet for the window.
func TestStreamCatFollowEndsOnNewerCapture(t *testing.T) {
	store := t.TempDir()
	r := newRecorder(t, store, "old", "a.pcap")
	r.packets(30, 0, true)
	f := startFollow(t, "--store", store, "--follow", "--active-window", "2s", "--no-ticks", "old")
	f.waitFor(t, 30)
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	os.Mkdir(filepath.Join(store, "new"), 0o755)
	if code := f.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, f.stderr.String())
	}
	if el := time.Since(start); el < time.Second || el > 4*time.Second {
		t.Errorf("ended %v after the newer capture appeared; want about the 2 s window", el)
	}
	got := f.records()
	if len(got) != 30 {
		t.Errorf("%d records; want the 30 packets and no ticks", len(got))
	}
}

// TestStreamCatWarnsWhenCaptureStalls: a followed capture that stops
// changing for the active window is warned about once, following goes on,
// and the return of data is noted.
func TestStreamCatWarnsWhenCaptureStalls(t *testing.T) {
	store := t.TempDir()
	r := newRecorder(t, store, "live", "a.pcap")
	r.packets(20, 0, true)
	f := startFollow(t, "--store", store, "--follow", "--active-window", "1s", "--no-ticks", "live")
	f.waitFor(t, 20)
	time.Sleep(2500 * time.Millisecond)
	r.packets(10, 0, true)
	f.waitFor(t, 30)
	f.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
	if code := f.wait(t, 5*time.Second); code != 0 {
		t.Fatalf("exit %d\n%s", code, f.stderr.String())
	}
	stderr := f.stderr.String()
	if strings.Count(stderr, "warning: capture live: nothing new for ") != 1 || !strings.Contains(stderr, "(has the recorder stopped, or the store stalled?); still following") ||
		!strings.Contains(stderr, "capture live: data again, after ") {
		t.Errorf("stderr:\n%s\nwant one stall warning, then data again", stderr)
	}
	if n := len(f.records()); n != 30 {
		t.Errorf("%d records; want 30", n)
	}
}

// TestStreamCatSignals: SIGTERM ends a follow with exit 0 and a complete
// stream; a closed stdout ends stream_cat quietly.
func TestStreamCatSignals(t *testing.T) {
	store := t.TempDir()
	r := newRecorder(t, store, "live", "a.pcap")
	r.packets(50, 0, true)
	f := startFollow(t, "--store", store, "--follow", "live")
	f.waitFor(t, 50)
	f.cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck
	if code := f.wait(t, 5*time.Second); code != 0 || f.stderr.Len() != 0 {
		t.Errorf("after SIGTERM: exit %d, stderr %q; want 0 and nothing", code, f.stderr.String())
	}

	big := gen(t, "--seed", "26", "--duration", "1m", "--size", "20MB")
	cmd := exec.Command(testutil.Tool(t, "stream_cat"), big)
	out, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.ReadFull(out, make([]byte, 1000)) //nolint:errcheck
	out.Close()
	err := cmd.Wait()
	ws, _ := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if stderr.Len() != 0 || (err != nil && (!ws.Signaled() || ws.Signal() != syscall.SIGPIPE)) {
		t.Errorf("closed stdout: %v, stderr %q; want a quiet end (SIGPIPE, as cat)", err, stderr.String())
	}
}
