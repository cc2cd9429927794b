// Package cliapp is what every pcappush command shares around its flags:
// a urfave/cli App that never exits the process behind the caller's back
// and turns flag mistakes into usage errors (lib/exitcode), the version
// stamped by the build, and Main, which runs a command with the process's
// arguments and streams, cancels its context on SIGTERM or SIGINT and
// returns its exit code.
//
// Each command's main is one line:
//
//	func main() { os.Exit(cliapp.Main("pcap_split", run)) }
//
// where run(ctx, args, stdin, stdout, stderr) builds its App with NewApp,
// gives it its manual with manual.SetHelp, and runs it with Run, which
// also answers the hidden --man and --markdown flags (lib/manual):
//
//	app := cliapp.NewApp("pcap_split", "split a PCAP stream", stdout, stderr)
//	manual.SetHelp(app, manual.Help{Synopsis: ..., Description: ..., Examples: ...})
//	app.Flags, app.Action = flags(), action
//	return cliapp.Run(ctx, app, args)
package cliapp
