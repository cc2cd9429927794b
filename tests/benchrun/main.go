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
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A job is one command to time. Its input size is what throughput counts.
type job struct {
	name   string
	shell  string  // run with bash -c, in the work folder
	bytes  int64   // input bytes processed per run
	setup  string  // run before each timing, untimed (e.g. clearing outputs)
	target float64 // for a peer: the ours/peer throughput ratio aimed at; 0: none
}

// A comparison is our job against peers', each peer with its target.
type comparison struct {
	title  string
	ours   job
	peers  []job
	maxRSS int64 // KiB the largest of our processes may hold; 0: defaultMaxRSS
	note   string
}

// defaultMaxRSS is the most memory any of our tools may hold, in KiB.
const defaultMaxRSS = 64 << 10

// rssLimit returns the comparison's memory limit in KiB.
func (c comparison) rssLimit() int64 {
	if c.maxRSS > 0 {
		return c.maxRSS
	}
	return defaultMaxRSS
}

type result struct {
	median time.Duration
	rssKB  int64
	runs   []time.Duration // wall times, sorted
	cpu    time.Duration   // median CPU time (user and system, every process of the job)
	cpus   []time.Duration
}

type env struct {
	bin, data, work string
	runs            int
	out             io.Writer
	suite           string // the suite running
	rows            []row  // what the suites measured, for the tables of -doc
}

func main() {
	var e env
	flag.StringVar(&e.bin, "bin", "bin", "folder of the built tools")
	flag.StringVar(&e.data, "data", "bench-data", "folder for generated inputs (kept between runs)")
	flag.IntVar(&e.runs, "runs", 5, "timed runs per command")
	doc := flag.String("doc", "", "Markdown file whose measured tables are refreshed with the results")
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
	fmt.Fprintf(e.out, "outputs in %s\n%s\n", e.work, machine())
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
		e.suite = n
		if err := s(&e); err != nil {
			fmt.Fprintf(os.Stderr, "benchrun: %s: %v\n", n, err)
			failed = true
		}
	}
	if *doc != "" {
		if err := refreshDoc(*doc, e.rows, names); err != nil {
			fmt.Fprintln(os.Stderr, "benchrun:", err)
			failed = true
		} else {
			fmt.Fprintf(e.out, "\ntables in %s refreshed\n", *doc)
		}
	}
	if failed {
		os.RemoveAll(e.work) //nolint:errcheck // os.Exit skips the deferred cleanup
		os.Exit(1)
	}
}

// suites maps a name to a benchmark suite; each tool's file adds its own.
var suites = map[string]func(*env) error{}

// A measure is one run of a job: wall time, CPU time of all its
// processes, and the largest peak RSS among them.
type measure struct {
	wall, cpu time.Duration
	rssKB     int64
}

// run times one execution of j.
func (e *env) run(j job) (measure, error) {
	if j.setup != "" {
		if err := e.sh(j.setup); err != nil {
			return measure{}, fmt.Errorf("setup of %s: %w", j.name, err)
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
		return measure{}, fmt.Errorf("%s: %w\n%s", j.shell, err, tail(stderr.String()))
	}
	// The child's rusage counts every descendant it waited for: the whole
	// job, since each shell waits for its pipelines.
	m := measure{wall: el, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if b, err := os.ReadFile(rssFile); err == nil {
		m.rssKB, _ = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	} else if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKB = ru.Maxrss
	}
	return m, nil
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
			m, err := e.run(j)
			if err != nil {
				return nil, err
			}
			res[k].runs = append(res[k].runs, m.wall)
			res[k].cpus = append(res[k].cpus, m.cpu)
			res[k].rssKB = max(res[k].rssKB, m.rssKB)
		}
	}
	for k := range res {
		slices.Sort(res[k].runs)
		slices.Sort(res[k].cpus)
		res[k].median = res[k].runs[len(res[k].runs)/2]
		res[k].cpu = res[k].cpus[len(res[k].cpus)/2]
	}
	e.print(c, jobs, res)
	return res, nil
}

func mbps(bytes int64, d time.Duration) float64 {
	return float64(bytes) / d.Seconds() / 1e6
}

func (e *env) print(c comparison, jobs []job, res []result) {
	fmt.Fprintf(e.out, "\n== %s (median of %d runs, input %.2f GB, load average %s)\n", c.title, e.runs, float64(c.ours.bytes)/1e9, loadAverage())
	ours := mbps(jobs[0].bytes, res[0].median)
	for k, j := range jobs {
		r := mbps(j.bytes, res[k].median)
		ratio := ""
		if k > 0 {
			ratio = fmt.Sprintf("  ours/this = %.2fx (CPU time %.2fx)", ours/r, res[k].cpu.Seconds()/res[0].cpu.Seconds())
		}
		fmt.Fprintf(e.out, "  %-48s %7.3f s (%.3f-%.3f) %8.1f MB/s  CPU %6.3f s  peak RSS %5.1f MB%s\n", j.name, res[k].median.Seconds(),
			res[k].runs[0].Seconds(), res[k].runs[len(res[k].runs)-1].Seconds(), r, res[k].cpu.Seconds(), float64(res[k].rssKB)/1024, ratio)
	}
	for k, j := range jobs[1:] {
		if j.target > 0 {
			ratio := ours / mbps(j.bytes, res[k+1].median)
			fmt.Fprintf(e.out, "  target %.1fx %s: %.2fx, %s\n", j.target, j.name, ratio, verdict(ratio >= j.target))
		}
	}
	if res[0].rssKB > c.rssLimit() {
		fmt.Fprintf(e.out, "  peak RSS %.1f MB: above the %d MB limit, NOT met\n", float64(res[0].rssKB)/1024, c.rssLimit()>>10)
	}
	if c.note != "" {
		fmt.Fprintf(e.out, "  %s\n", c.note)
	}
	e.record(c, jobs, res)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
