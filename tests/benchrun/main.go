// Command benchrun runs pcappush's whole-tool benchmarks: each of our tools
// beside the peer tool a user would otherwise run (editcap, tcpdump, gzip,
// cat ...), on the same input, alternating runs, and prints the median
// throughputs, their ratio and our peak RSS. `make bench` runs it.
//
//	go run ./tests/benchrun -bin bin -data bench-data [-runs 3] [suite ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A job is one command to time. Its input size is what throughput counts.
type job struct {
	name  string
	shell string // run with bash -c, in the work folder
	bytes int64  // input bytes processed per run
	setup string // run before each timing, untimed (e.g. clearing outputs)
}

// A comparison is our job against a peer's, with a target ratio.
type comparison struct {
	title  string
	ours   job
	peers  []job
	target float64 // ours/peer throughput ratio the issue asks for; 0: none
	note   string
}

type result struct {
	median time.Duration
	rssKB  int64
	runs   []time.Duration
}

type env struct {
	bin, data, work string
	runs            int
	out             io.Writer
}

func main() {
	var e env
	flag.StringVar(&e.bin, "bin", "bin", "folder of the built tools")
	flag.StringVar(&e.data, "data", "bench-data", "folder for generated inputs (kept between runs)")
	flag.IntVar(&e.runs, "runs", 3, "timed runs per command")
	flag.Parse()
	e.out = os.Stdout
	var err error
	if e.bin, err = filepath.Abs(e.bin); err == nil {
		e.data, err = filepath.Abs(e.data)
	}
	if err == nil {
		err = os.MkdirAll(e.data, 0o755)
	}
	if err == nil {
		e.work, err = os.MkdirTemp(scratchRoot(e.data), "pcappush-bench-")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
	defer os.RemoveAll(e.work) //nolint:errcheck // best-effort cleanup of scratch files
	fmt.Fprintf(e.out, "outputs in %s\n", e.work)
	names := flag.Args()
	if len(names) == 0 {
		for n := range suites {
			names = append(names, n)
		}
		sort.Strings(names)
	}
	failed := false
	for _, n := range names {
		s, ok := suites[n]
		if !ok {
			fmt.Fprintf(os.Stderr, "benchrun: unknown suite %q\n", n)
			os.RemoveAll(e.work) //nolint:errcheck // os.Exit skips the deferred cleanup
			os.Exit(2)
		}
		if err := s(&e); err != nil {
			fmt.Fprintf(os.Stderr, "benchrun: %s: %v\n", n, err)
			failed = true
		}
	}
	if failed {
		os.RemoveAll(e.work) //nolint:errcheck // os.Exit skips the deferred cleanup
		os.Exit(1)
	}
}

// suites maps a name to a benchmark suite; each tool's file adds its own.
var suites = map[string]func(*env) error{}

// run times one execution of j and returns its wall time and peak RSS.
func (e *env) run(j job) (time.Duration, int64, error) {
	if j.setup != "" {
		if err := e.sh(j.setup); err != nil {
			return 0, 0, fmt.Errorf("setup of %s: %w", j.name, err)
		}
	}
	// GNU time reports the largest RSS among the job's processes; the
	// rusage of a child started from here would also count the pages of
	// this forked process before its exec.
	rssFile := filepath.Join(e.work, ".rss")
	argv := []string{"bash", "-c", j.shell}
	if _, err := os.Stat("/usr/bin/time"); err == nil {
		argv = append([]string{"/usr/bin/time", "-f", "%M", "-o", rssFile}, argv...)
	}
	_ = os.Remove(rssFile)
	cmd := exec.CommandContext(context.Background(), argv[0], argv[1:]...)
	cmd.Dir = e.work
	cmd.Env = append(os.Environ(), "BIN="+e.bin, "DATA="+e.data, "WORK="+e.work)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	el := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w\n%s", j.shell, err, tail(stderr.String()))
	}
	var rss int64
	if b, err := os.ReadFile(rssFile); err == nil {
		rss, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss
	}
	return el, rss, nil
}

// scratchRoot is where outputs are written: a tmpfs when there is one with
// room, so that the numbers compare the tools rather than the disk.
func scratchRoot(fallback string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs("/dev/shm", &st); err == nil && int64(st.Bavail)*int64(st.Bsize) > 8e9 {
		return "/dev/shm"
	}
	return fallback
}

func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}

// sh runs an untimed helper command in the work folder.
func (e *env) sh(script string) error {
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = e.work
	cmd.Env = append(os.Environ(), "BIN="+e.bin, "DATA="+e.data, "WORK="+e.work)
	cmd.Stderr = os.Stderr
	return cmd.Run()
}

// compare runs every job of c e.runs times, alternating, and prints them.
func (e *env) compare(c comparison) error {
	_, err := e.measure(c)
	return err
}

// measure is compare returning the results, ours first.
func (e *env) measure(c comparison) ([]result, error) {
	jobs := append([]job{c.ours}, c.peers...)
	res := make([]result, len(jobs))
	for i := 0; i < e.runs; i++ {
		for k, j := range jobs {
			d, rss, err := e.run(j)
			if err != nil {
				return nil, err
			}
			res[k].runs = append(res[k].runs, d)
			res[k].rssKB = max(res[k].rssKB, rss)
		}
	}
	for k := range res {
		sorted := append([]time.Duration(nil), res[k].runs...)
		sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
		res[k].median = sorted[len(sorted)/2]
	}
	e.print(c, jobs, res)
	return res, nil
}

func mbps(bytes int64, d time.Duration) float64 {
	return float64(bytes) / d.Seconds() / 1e6
}

func (e *env) print(c comparison, jobs []job, res []result) {
	fmt.Fprintf(e.out, "\n== %s (median of %d runs, input %.2f GB)\n", c.title, e.runs, float64(c.ours.bytes)/1e9)
	ours := mbps(jobs[0].bytes, res[0].median)
	for k, j := range jobs {
		r := mbps(j.bytes, res[k].median)
		ratio := ""
		if k > 0 {
			ratio = fmt.Sprintf("  ours/this = %.2fx", ours/r)
		}
		fmt.Fprintf(e.out, "  %-44s %8.3f s %9.1f MB/s  peak RSS %6.1f MB%s\n", j.name, res[k].median.Seconds(), r, float64(res[k].rssKB)/1024, ratio)
	}
	if c.target > 0 && len(jobs) > 1 {
		peer := mbps(jobs[1].bytes, res[1].median)
		verdict := "met"
		if ours/peer < c.target {
			verdict = "NOT met"
		}
		fmt.Fprintf(e.out, "  target %.1fx %s: %.2fx, %s\n", c.target, jobs[1].name, ours/peer, verdict)
	}
	if c.note != "" {
		fmt.Fprintf(e.out, "  %s\n", c.note)
	}
}
