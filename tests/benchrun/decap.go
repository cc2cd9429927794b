package main

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
)

func init() { suites["decap"] = benchDecap }

// benchDecap: pcap_decap in a pipeline against the same pipeline with cat
// in its place, on a capture a third of which is tagged or tunnelled; then
// the library benchmark's allocations per packet.
func benchDecap(e *env) error {
	in, size, err := e.capture("mixed-encap-1g", "--seed 3 --start 2021-05-24T09:50:30Z --duration 10m --size 1GB --encap 0.33")
	if err != nil {
		return err
	}
	err = e.compare(comparison{
		title: "pcap_decap in a pipeline (a third of the packets tagged or tunnelled)",
		ours: job{name: "cat FILE | pcap_decap | cat > /dev/null", bytes: size,
			shell: "set -o pipefail; cat " + in + " | $BIN/pcap_decap | cat > /dev/null"},
		peers: []job{{name: "cat FILE | cat | cat > /dev/null", bytes: size, target: 0.8,
			shell: "set -o pipefail; cat " + in + " | cat | cat > /dev/null"}},
		note: "cat only copies; pcap_decap parses every record, rewrites a third of them and writes the rest from its read buffer",
	})
	if err != nil {
		return err
	}
	return e.decapAllocs()
}

// decapAllocs runs the library benchmark (10,000 generated packets per
// operation) and prints its allocations per packet.
func (e *env) decapAllocs() error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", "^BenchmarkDecap$", "-benchtime", "200x", "./lib/decap")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench BenchmarkDecap: %w\n%s", err, tail(string(out)))
	}
	m := regexp.MustCompile(`(\d+) ns/op\s+([\d.]+) MB/s\s+(\d+) B/op\s+(\d+) allocs/op`).FindStringSubmatch(string(out))
	if m == nil {
		return fmt.Errorf("unexpected benchmark output:\n%s", tail(string(out)))
	}
	allocs, _ := strconv.ParseFloat(m[4], 64)
	ns, _ := strconv.ParseFloat(m[1], 64)
	fmt.Fprintf(e.out, "  library: %s MB/s, %.1f ns and %.4f allocations per packet (BenchmarkDecap, 10,000 packets per op)\n",
		m[2], ns/10000, allocs/10000)
	return nil
}
