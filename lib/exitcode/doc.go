// Package exitcode is the one place that maps a tool's error to its exit
// status and message: 0 for success, 1 for a runtime failure (I/O,
// corrupt input, an upload), 2 for a mistake in the flags or the
// configuration (a UsageError), which Report follows with a `Try:` line.
//
//	if err := split(ctx); err != nil {
//		os.Exit(exitcode.Report(os.Stderr, "pcap_split", err))
//	}
//
// Usagef makes a usage error:
//
//	return exitcode.Usagef("--split-time %q: %w", v, err)
package exitcode
