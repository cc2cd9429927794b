package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func init() { suites["compress"] = benchCompress }

// outJob is a job and the folder its output lands in, measured after the
// timed runs.
type outJob struct {
	job
	dir string
}

// benchCompress: pcap_split's in-process compression (whole capture, to a
// local folder) against the compression tools alone on the same file.
func benchCompress(e *env) error {
	in, size, err := e.bigCapture()
	if err != nil {
		return err
	}
	clean := func(dir string) string { return "rm -rf " + dir + " && mkdir " + dir }
	split := func(spec, dir string) outJob {
		return outJob{job{name: "pcap_split --compress " + spec + " < FILE", bytes: size, setup: clean(dir),
			shell: "$BIN/pcap_split -o " + dir + "/ --split-time 3600e9 --filename-epoch-sec --compress " + spec + " < " + in}, dir}
	}
	tool := func(cmd, dir string) outJob {
		return outJob{job{name: cmd + " < FILE > OUT", bytes: size, setup: clean(dir), shell: cmd + " < " + in + " > " + dir + "/out"}, dir}
	}
	cases := []struct {
		jobs   []outJob // ours first
		target float64
	}{
		{[]outJob{split("gzip:1", "ours-gz"), tool("gzip -c -1", "gzip"), tool("pigz -c -1", "pigz")}, 2.5},
		{[]outJob{split("zstd:1", "ours-zst"), tool("zstd -c -1 -T2 -q", "zstd")}, 0.9},
		{[]outJob{split("lz4", "ours-lz4"), tool("lz4 -c -1 -q", "lz4")}, 0},
	}
	for _, c := range cases {
		var peers []job
		for _, j := range c.jobs[1:] {
			peers = append(peers, j.job)
		}
		peers[0].target = c.target
		cmp := comparison{title: c.jobs[0].name, ours: c.jobs[0].job, peers: peers,
			note: "pcap_split parses and splits the stream and fsyncs its files; the tools only compress."}
		if err := e.compare(cmp); err != nil {
			return err
		}
		fmt.Fprintf(e.out, "  output size: %s\n", sizes(e.work, size, c.jobs))
	}
	return nil
}

// sizes gives each job's output (what its last run left) as a share of
// the input.
func sizes(work string, in int64, jobs []outJob) string {
	var parts []string
	for _, j := range jobs {
		name, _, _ := strings.Cut(j.name, " <")
		parts = append(parts, fmt.Sprintf("%s %.1f%%", name, 100*float64(dirSize(filepath.Join(work, j.dir)))/float64(in)))
	}
	return strings.Join(parts, ", ")
}

// dirSize adds up the sizes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error { //nolint:errcheck // a missing folder counts 0
		if err == nil && d.Type().IsRegular() {
			if st, err := d.Info(); err == nil {
				n += st.Size()
			}
		}
		return nil
	})
	return n
}
