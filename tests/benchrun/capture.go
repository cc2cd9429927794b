package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// capture returns a generated capture in the data folder, making it with
// pcapgen when missing, and its size.
func (e *env) capture(name, genArgs string) (string, int64, error) {
	p := filepath.Join(e.data, name+".pcap")
	if st, err := os.Stat(p); err == nil {
		return p, st.Size(), nil
	}
	fmt.Fprintf(e.out, "generating %s (pcapgen %s)\n", p, genArgs)
	if err := e.sh(fmt.Sprintf("$BIN/pcapgen %s -w %s.tmp && mv %s.tmp %s", genArgs, p, p, p)); err != nil {
		return "", 0, fmt.Errorf("generate %s: %w", name, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return "", 0, err
	}
	return p, st.Size(), nil
}

// bigCapture is the 1 GB mixed capture most suites share.
func (e *env) bigCapture() (string, int64, error) {
	return e.capture("mixed-1g", "--seed 1 --start 2021-05-24T09:50:30Z --duration 10m --size 1GB")
}
