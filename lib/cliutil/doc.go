// Package cliutil holds what every pcappush command shares around its
// flags: building a urfave/cli App that never exits the process behind the
// caller's back, usage errors, the mapping of errors to exit codes, and the
// parsing of numbers written the way the reference system writes them
// ("60e9", "1e9").
//
// Each command's main is three lines:
//
//	func main() {
//		os.Exit(cliutil.Main("pcap_split", run))
//	}
//
// where run(ctx, args, stdin, stdout, stderr) builds its App with NewApp and
// returns whatever went wrong. Main cancels ctx on SIGTERM or SIGINT, prints
// `tool: message` (plus a `Try:` hint for usage errors) and returns 0, 1 or 2.
package cliutil
