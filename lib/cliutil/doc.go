// Package cliutil holds what every pcappush command shares around its
// flags: building a urfave/cli App that never exits the process behind the
// caller's back, usage errors, the mapping of errors to exit codes, the
// help text and man page, and the parsing of numbers written the way the
// reference system writes them ("60e9", "1e9").
//
// Each command's main is three lines:
//
//	func main() {
//		os.Exit(cliutil.Main("pcap_split", run))
//	}
//
// where run(ctx, args, stdin, stdout, stderr) builds its App with NewApp,
// gives it its help text with SetHelp, and runs it with Run:
//
//	app := cliutil.NewApp("pcap_split", "split a PCAP stream", stdout, stderr)
//	cliutil.SetHelp(app, cliutil.Help{
//		Synopsis:    []string{"pcap_split --split-time NS -o PREFIX < in.pcap"},
//		Description: "Reads a PCAP stream on stdin and ...",
//		Examples:    []cliutil.Example{{Comment: "one file per minute", Command: "pcap_split ..."}, ...},
//	})
//	app.Flags, app.Action = flags(), action
//	return cliutil.Run(ctx, app, args)
//
// Main cancels ctx on SIGTERM or SIGINT, prints `tool: message` (plus a
// `Try:` hint for usage errors) and returns 0, 1 or 2.
//
// The help and the man page come from one text: --help prints NAME, USAGE,
// DESCRIPTION, OPTIONS (each flag as urfave/cli prints it), EXAMPLES, EXIT
// STATUS and VERSION; the hidden --man flag that Run adds writes the same
// sections as a roff man page (section 1), which `make man` installs. The
// page is written directly in roff rather than through a Markdown
// converter, since the help text is plain text, not Markdown.
package cliutil
