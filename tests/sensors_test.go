package tests

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
)

// sensorPush is one sensor of the many-sensors test: a live tcpdump
// capture of its own UDP port into its store, and a realtime
// push_realtime of it.
type sensorPush struct {
	host    string
	port    int
	env     pushEnv
	tcpdump *exec.Cmd
	push    *runningPush
	capture string // the capture file tcpdump writes
}

// sensorConfig is every sensor's configuration: the same two targets
// (same Desc, same capture), kept apart in the bucket by {host} alone.
func sensorConfig(rcloneConf string) string {
	return fmt.Sprintf(`local Config = {}
Config.RcloneConfig = %q
Config.Capture = "cap"
Config.Target = {}
table.insert(Config.Target, { Desc = "all", Mode = "RCLONE", Path = "s3-fmad://pcap/{host}/all",
    Split = "--split-time 10e9", FileName = "--filename-tstr-HHMMSS" })
table.insert(Config.Target, { Desc = "big", Mode = "RCLONE", Path = "s3-fmad://pcap/{host}/{desc}",
    Split = "--split-time 10e9", FileName = "--filename-epoch-sec-startend", FilterBPF = "greater 600",
    PipeCmd = "gzip -c", FileSuffix = ".pcap.gz" })
return Config
`, rcloneConf)
}

// startTcpdump captures UDP to port on the loopback interface into file,
// packet by packet, and waits until it listens.
func startTcpdump(t *testing.T, file string, port int) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(testutil.Need(t, "tcpdump"), "-i", "lo", "-n", "-U", "--immediate-mode", "--time-stamp-precision", "nano",
		"-Z", "root", "-w", file, "udp", "dst", "port", strconv.Itoa(port))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() }) //nolint:errcheck // may have exited
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		var seen []string
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.Contains(sc.Text(), "listening on") {
				listening <- ""
			}
		}
		listening <- strings.Join(seen, "\n")
	}()
	select {
	case out := <-listening:
		if strings.Contains(out, "ermission") || strings.Contains(out, "not permitted") {
			if os.Getenv("PCAPPUSH_REQUIRE_TOOLS") == "" {
				t.Skipf("tcpdump may not capture here (live captures need CAP_NET_RAW):\n%s", out)
			}
		}
		if out != "" {
			t.Fatalf("tcpdump did not start:\n%s", out)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tcpdump is not listening after 10 s")
	}
	return cmd
}

// sendTraffic sends UDP datagrams of varied sizes to every port, each at
// about rate per second, until stop is closed.
func sendTraffic(t *testing.T, ports []int, rate int, stop <-chan struct{}) *sync.WaitGroup {
	t.Helper()
	var wg sync.WaitGroup
	for _, port := range ports {
		sink, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sink.Close() })
		go io.Copy(io.Discard, readerOf(sink)) //nolint:errcheck // a sink
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer conn.Close()
			buf := make([]byte, 1400)
			tick := time.NewTicker(time.Second / time.Duration(rate))
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				n := 40 + (i*397)%1200
				binary.BigEndian.PutUint32(buf, uint32(i))
				conn.WriteTo(buf[:n], sink.LocalAddr()) //nolint:errcheck // loopback; tcpdump's file is the reference
			}
		}()
	}
	return &wg
}

// readerOf reads a packet connection as a stream, for a sink.
func readerOf(c net.PacketConn) io.Reader {
	return readerFunc(func(b []byte) (int, error) { n, _, err := c.ReadFrom(b); return n, err })
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

// freeUDPPorts returns n UDP ports free on 127.0.0.1.
func freeUDPPorts(t *testing.T, n int) []int {
	t.Helper()
	var out []int
	for len(out) < n {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c.LocalAddr().(*net.UDPAddr).Port)
		c.Close()
	}
	return out
}

// TestManySensorsOneBucket: three sensors, each a realtime push_realtime
// of its own live tcpdump capture with 10-second splits and two targets
// (everything; packets over 600 bytes, gzip -c) into one S3 bucket, with
// the same configuration but for --host. Their objects never share a
// name; stream_cat --from 's3-fmad://pcap/*/all' gives a window spanning
// split boundaries equal to mergecap of the three captures trimmed by
// editcap -A/-B, in time order, and the gzip target's window equals that
// through tcpdump's filter.
func TestManySensorsOneBucket(t *testing.T) {
	began := time.Now()
	phase := func(what string) { t.Logf("%6.1f s %s", time.Since(began).Seconds(), what) }
	s3 := startRemote(t, "s3")
	binDir(t) // built before the clock matters
	phase("built")
	for _, tool := range []string{"mergecap", "editcap", "tcpdump"} {
		testutil.Need(t, tool)
	}
	conf := writeConf(t, s3.conf)
	ports := freeUDPPorts(t, 3)
	var sensors []*sensorPush
	for i, port := range ports {
		s := &sensorPush{host: fmt.Sprintf("sensor%d", i+1), port: port, env: newPushEnv(t)}
		dir := filepath.Join(s.env.store, "cap")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		s.capture = filepath.Join(dir, "cap.pcap")
		s.tcpdump = startTcpdump(t, s.capture, port)
		sensors = append(sensors, s)
	}
	stop := make(chan struct{})
	traffic := sendTraffic(t, ports, 150, stop)
	for _, s := range sensors {
		s.push = startPush(t, s.env, writeLua(t, s.env, sensorConfig(conf)), "--host", s.host, "--status-interval", "1s")
	}
	phase("pushing")
	time.Sleep(27 * time.Second)
	close(stop)
	traffic.Wait()
	time.Sleep(200 * time.Millisecond)
	for _, s := range sensors {
		s.tcpdump.Process.Signal(syscall.SIGINT) //nolint:errcheck // checked by Wait
		s.tcpdump.Wait()                         //nolint:errcheck // killed by signal
		if err := os.WriteFile(filepath.Join(filepath.Dir(s.capture), ".complete"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Each target finishes the capture (stream_cat reads it to its end,
	// pcap_split publishes the last split), then push_realtime stops.
	for _, s := range sensors {
		for _, desc := range []string{"all", "big"} {
			done := filepath.Join(s.env.state, "targets", desc, "done", "cap")
			waitUntil(t, 30*time.Second, s.host+" "+desc+" done with the capture", func() bool { _, err := os.Stat(done); return err == nil })
		}
		s.push.stop(t)
	}
	phase("stopped")
	checkApart(t, s3, sensors)

	// The window: 21 s from 3.3 s after the first packet, so at least two
	// split boundaries lie inside it.
	var caps []string
	first := int64(1 << 62)
	for _, s := range sensors {
		caps = append(caps, s.capture)
		recs := readRecs(t, s.capture)
		if len(recs) < 1000 {
			t.Fatalf("%s captured %d packets", s.host, len(recs))
		}
		first = min(first, recs[0].Time)
	}
	t1, t2 := first+3300e6, first+24300e6
	// mergecap puts the last file's packet first of equal times, stream_cat
	// the first source's: mergecap gets the captures in reverse.
	slices.Reverse(caps)
	merged := filepath.Join(t.TempDir(), "merged.pcap")
	testutil.MustRun(t, nil, testutil.Need(t, "mergecap"), append([]string{"-F", "nsecpcap", "-w", merged}, caps...)...)
	window := filepath.Join(t.TempDir(), "window.pcap")
	testutil.MustRun(t, nil, testutil.Need(t, "editcap"), "-F", "nsecpcap", "-A", epochArg(t1), "-B", epochArg(t2), merged, window)
	want := readRecs(t, window)
	phase("mergecap")

	catArgs := func(from string, extra ...string) []string {
		return append([]string{"--from", from, "--rclone-config", conf, "--start-time", strconv.FormatInt(t1, 10), "--end-time", strconv.FormatInt(t2, 10)}, extra...)
	}
	res := testutil.MustRun(t, nil, testutil.Tool(t, "stream_cat"), catArgs("s3-fmad://pcap/*/all")...)
	got := parseRecs(t, "stream_cat --from", res.Stdout)
	sameRecs(t, "window of all", want, got)
	for i := 1; i < len(got); i++ {
		if got[i].Time < got[i-1].Time {
			t.Fatalf("packet %d goes back in time", i+1)
		}
	}
	wantBig := parseRecs(t, "tcpdump", testutil.MustRun(t, nil, testutil.Need(t, "tcpdump"), "--time-stamp-precision", "nano", "-r", window, "-w", "-", "greater 600").Stdout)
	res = testutil.MustRun(t, nil, testutil.Tool(t, "stream_cat"), catArgs("s3-fmad://pcap/*/big")...)
	sameRecs(t, "window of big (gzip)", wantBig, parseRecs(t, "stream_cat --from", res.Stdout))

	phase("stream_cat --from")
	// --list names the splits read: every sensor, several intervals, and
	// not the splits outside the window.
	list := string(testutil.MustRun(t, nil, testutil.Tool(t, "stream_cat"), catArgs("s3-fmad://pcap/*/big", "--list")...).Stdout)
	lines := strings.Split(strings.TrimSpace(list), "\n")
	for _, s := range sensors {
		if !strings.Contains(list, "s3-fmad://pcap/"+s.host+"/ ") {
			t.Errorf("--list does not name %s:\n%s", s.host, list)
		}
	}
	if len(lines) < 1+3*3 || strings.Contains(list, ".pending") {
		t.Errorf("--list shows %d splits; want 3 or more per sensor:\n%s", len(lines)-1, list)
	}
}

// checkApart: the sensors' objects lie in their own folders, with names
// that repeat across sensors (same Desc, same capture, same times) but
// never collide, and no .pending object is left.
func checkApart(t *testing.T, s3 *remote, sensors []*sensorPush) {
	t.Helper()
	names := map[string][]string{}
	for _, s := range sensors {
		for _, desc := range []string{"all", "big"} {
			n := splitFiles(t, filepath.Join(s3.store, "pcap", s.host), desc+"_")
			if len(n) < 3 {
				t.Fatalf("%s/%s holds %v", s.host, desc, n)
			}
			noPending(t, filepath.Join(s3.store, "pcap", s.host))
			for _, x := range n {
				names[x] = append(names[x], s.host)
			}
		}
	}
	shared := 0
	for _, hosts := range names {
		if len(hosts) > 1 {
			shared++
		}
	}
	if shared == 0 {
		t.Errorf("no split name is shared by two sensors: the test does not show they are kept apart")
	}
}

// epochArg writes ns as editcap's -A and -B take it.
func epochArg(ns int64) string {
	return fmt.Sprintf("%d.%09d", ns/1e9, ns%1e9)
}

// TestFromRemoteDown: a remote whose server is gone (killed: connections
// refused) is retried as rclone retries, then stream_cat exits 1 naming
// the folder it could not list, having written nothing.
func TestFromRemoteDown(t *testing.T) {
	s3 := startRemote(t, "s3")
	conf := writeConf(t, s3.conf)
	s3.srv.Kill()
	t.Setenv("RCLONE_LOG_LEVEL", "DEBUG") // shows rclone's retries
	start := time.Now()
	res := testutil.Run(t, nil, testutil.Tool(t, "stream_cat"), "--from", "s3-fmad://pcap/*/all", "--rclone-config", conf, "--start-time", "1621849860", "--end-time", "1621849920")
	took := time.Since(start)
	if res.Code != 1 || !strings.Contains(string(res.Stderr), "stream_cat: list s3-fmad://pcap/: ") || !strings.Contains(string(res.Stderr), "connection refused") || len(res.Stdout) != 0 {
		t.Errorf("exit %d after %v, stdout %d bytes, stderr:\n%s", res.Code, took, len(res.Stdout), res.Stderr)
	}
	if !strings.Contains(string(res.Stderr), "stream_cat: rclone: DEBUG: pacer: low level retry 2/2") {
		t.Errorf("rclone's retries are not in the log:\n%s", res.Stderr)
	}
}
