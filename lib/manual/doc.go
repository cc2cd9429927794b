// Package manual is a tool's manual, written once (Help) and rendered
// three ways: the --help text, a roff man page (section 1, which `make
// man` installs) and the generated part of its page in docs/tools (`make
// docs`). --help prints NAME, USAGE, DESCRIPTION, the extra sections,
// OPTIONS (each flag as urfave/cli prints it), EXAMPLES, EXIT STATUS and
// VERSION; the man page and the Markdown page hold the same sections. The
// page is written directly in roff rather than through a Markdown
// converter, since the help text is plain text, not Markdown.
//
//	manual.SetHelp(app, manual.Help{
//		Synopsis:    []string{"pcap_split --split-time NS -o PREFIX < in.pcap"},
//		Description: "Reads a PCAP stream on stdin and ...",
//		Examples:    []manual.Example{{Comment: "one file per minute", Command: "pcap_split ..."}, ...},
//	})
//	err := manual.WriteMan(os.Stdout, app, manual.ManDate())
package manual
