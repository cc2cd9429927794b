package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/internal/loopback"
)

func init() { suites["window"] = benchWindow }

// The window suite's sensors and window: three captures of 400 MB over
// twelve minutes, pushed in one-minute splits; the window is ten minutes
// of them, off the minute.
const (
	windowSensors = 3
	windowStart   = "2021-05-24T09:51:10.5Z"
	windowEnd     = "2021-05-24T10:01:10.5Z"
)

// benchWindow: reading a time window back from an S3 bucket that three
// sensors pushed into, stream_cat --from against what a user does without
// it (rclone copy of the files that hold the window, mergecap, editcap
// -A/-B; mergecap is given the files in reverse order since it puts the
// last file's packet first of equal times, and stream_cat the first
// source's); then stream_cat's time to its first byte out, and its peak RSS
// against 64 MB plus 8 MB per source.
func benchWindow(e *env) error {
	rclone, err := rcloneCLI()
	if err != nil {
		return err
	}
	srv, conf, err := e.windowBucket()
	if err != nil {
		return err
	}
	defer srv.Stop()
	files, size, err := e.windowFiles(conf)
	if err != nil {
		return err
	}
	t1, t2 := epochOf(windowStart), epochOf(windowEnd)
	ours := fmt.Sprintf("$BIN/stream_cat --from 's3-fmad://pcap/*/all' --rclone-config %s --start-time %s --end-time %s", conf, windowStart, windowEnd)
	peer := fmt.Sprintf("%s --config %s copy s3-fmad:pcap dl --files-from %s && mergecap -F nsecpcap -w merged.pcap $(ls -r dl/*/*.pcap) && editcap -F nsecpcap -A %s -B %s merged.pcap peer.pcap",
		rclone, conf, files, t1, t2)
	res, err := e.measure(comparison{
		title:  fmt.Sprintf("a ten-minute window from %d sensors' one-minute splits in a loopback S3 bucket", windowSensors),
		ours:   job{name: "stream_cat --from 's3-fmad://pcap/*/all'", bytes: size, setup: "rm -f ours.pcap", shell: ours + " > ours.pcap"},
		peers:  []job{{name: "rclone copy + mergecap + editcap -A -B", bytes: size, setup: "rm -rf dl merged.pcap peer.pcap", shell: peer, target: 2}},
		maxRSS: int64(64+8*windowSensors) << 10,
		note:   "Throughput counts the splits that hold the window, as stored; both write the window to a file in the work folder; the S3 server shares the 2 cores.",
	})
	if err != nil {
		return err
	}
	if err := e.sh("cmp -s -i 24 ours.pcap peer.pcap"); err != nil {
		return fmt.Errorf("stream_cat's window differs from mergecap and editcap's")
	}
	fmt.Fprintf(e.out, "  the two windows hold the same packets, byte for byte after the file header\n")
	limit := int64(64+8*windowSensors) << 10 // as maxRSS above
	verdict := "met"
	if res[0].rssKB > limit {
		verdict = "NOT met"
	}
	fmt.Fprintf(e.out, "  peak RSS %.1f MB; limit 64 MB + 8 MB x %d sources = %d MB: %s\n", float64(res[0].rssKB)/1024, windowSensors, limit>>10, verdict)
	return e.firstBytes(ours, rclone, conf, files)
}

// windowBucket starts the S3 server and pushes the sensors' captures into
// its bucket "pcap" with pcap_split, one folder per sensor (untimed).
func (e *env) windowBucket() (*loopback.S3, string, error) {
	srv, err := loopback.StartS3(filepath.Join(e.work, "s3"))
	if err != nil {
		return nil, "", fmt.Errorf("s3 server: %w", err)
	}
	conf := filepath.Join(e.work, "rclone.conf")
	err = os.WriteFile(conf, []byte(srv.RcloneConfig("s3-fmad")), 0o600)
	if err == nil {
		err = srv.CreateBucket("pcap")
	}
	for i := 1; i <= windowSensors && err == nil; i++ {
		var in string
		in, _, err = e.capture(fmt.Sprintf("sensor%d-400m", i), fmt.Sprintf("--seed %d --start 2021-05-24T09:50:00Z --duration 12m --size 400MB", 10+i))
		if err == nil {
			fmt.Fprintf(e.out, "pushing %s to s3-fmad://pcap/sensor%d/\n", filepath.Base(in), i)
			err = e.sh(fmt.Sprintf("$BIN/pcap_split --rclone --rclone-config %s --host sensor%d -o 's3-fmad://pcap/{host}/all' --split-time 60e9 --filename-tstr-HHMMSS < %s 2>/dev/null", conf, i, in))
		}
	}
	if err != nil {
		srv.Stop()
		return nil, "", err
	}
	return srv, conf, nil
}

// windowFiles writes the list of the objects that meet the window, as
// rclone's --files-from takes it (the peer is given exactly those), and
// returns it with their total size.
func (e *env) windowFiles(conf string) (string, int64, error) {
	cmd := exec.Command(filepath.Join(e.bin, "stream_cat"), "--list", "--from", "s3-fmad://pcap/*/all", "--rclone-config", conf, "--start-time", windowStart, "--end-time", windowEnd)
	out, err := cmd.Output()
	if err != nil {
		return "", 0, fmt.Errorf("stream_cat --list: %w", err)
	}
	var list []string
	var size int64
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		f := strings.Fields(line)
		n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
		size += n
		list = append(list, strings.TrimPrefix(f[0], "s3-fmad://pcap/")+f[1])
	}
	p := filepath.Join(e.work, "window-files.txt")
	fmt.Fprintf(e.out, "the window meets %d splits, %.2f GB\n", len(list), float64(size)/1e9)
	return p, size, os.WriteFile(p, []byte(strings.Join(list, "\n")+"\n"), 0o644)
}

// firstBytes prints stream_cat's time to its first byte out (median of
// the runs) and when the peer's first byte can come: after rclone copy
// and mergecap, whose times it measures once.
func (e *env) firstBytes(ours, rclone, conf, files string) error {
	var ttfb []time.Duration
	for i := 0; i < e.runs; i++ {
		d, err := e.firstByte(ours)
		if err != nil {
			return err
		}
		ttfb = append(ttfb, d)
	}
	sort.Slice(ttfb, func(a, b int) bool { return ttfb[a] < ttfb[b] })
	start := time.Now()
	err := e.sh(fmt.Sprintf("rm -rf dl merged.pcap && %s --config %s copy s3-fmad:pcap dl --files-from %s && mergecap -F nsecpcap -w merged.pcap $(ls -r dl/*/*.pcap)", rclone, conf, files))
	if err != nil {
		return err
	}
	fmt.Fprintf(e.out, "  time to the first byte out: stream_cat %.3f s (median of %d); the peer's first byte comes after rclone copy and mergecap: %.1f s\n",
		ttfb[len(ttfb)/2].Seconds(), len(ttfb), time.Since(start).Seconds())
	return nil
}

// firstByte runs a command and returns when its first stdout byte came.
func (e *env) firstByte(shell string) (time.Duration, error) {
	cmd := exec.Command("bash", "-c", shell)
	cmd.Dir = e.work
	cmd.Env = append(os.Environ(), "BIN="+e.bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	br := bufio.NewReader(out)
	if _, err := br.ReadByte(); err != nil {
		cmd.Wait() //nolint:errcheck // the read error says enough
		return 0, fmt.Errorf("%s: no output: %w", shell, err)
	}
	first := time.Since(start)
	if _, err := io.Copy(io.Discard, br); err != nil {
		return 0, err
	}
	return first, cmd.Wait()
}

// epochOf writes an RFC 3339 time as editcap's -A/-B take it.
func epochOf(rfc string) string {
	t, err := time.Parse(time.RFC3339Nano, rfc)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}
