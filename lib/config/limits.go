package config

import "fmt"

// Fleet limits: each target runs a pipeline of 2 to 4 processes
// (stream_cat, pcap_decap, pcap_filter, pcap_split) that take together,
// in proportional set size (the tools' shared code counted once), about
// 24 MB with 2 stages and 32 MB with 4 (10 live targets; stream_cat and
// pcap_split each hold about 9 MB of rclone's backends, which they link to
// reach remotes); push_realtime itself takes 29 MB plus 0.2 MB a target.
// Every target also reads the capture once more.
const (
	// TestedTargets is the largest number of targets tested; more is
	// warned about.
	TestedTargets = 100
	// MaxTargets is the most targets one configuration may hold: above it,
	// run several push_realtime, each with its own configuration and
	// --state-dir.
	MaxTargets = 256
)

// checkFleet refuses a configuration of more than MaxTargets targets and
// warns above TestedTargets.
func (c *Config) checkFleet() error {
	n := len(c.Targets)
	switch {
	case n > MaxTargets:
		return &Error{File: c.File, Field: "Config.Target", Err: fmt.Errorf("%d targets, over the limit of %d (each runs 2 to 4 processes and takes 24 to 32 MB): split them among several push_realtime, each with its own configuration and --state-dir", n, MaxTargets)}
	case n > TestedTargets:
		c.Warnings = append(c.Warnings, fmt.Sprintf("config %s: %d targets, more than the %d tested: expect about %d processes and %d MB for the pipelines", c.File, n, TestedTargets, 3*n, 30*n))
	}
	return nil
}
