package manual

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// Tools are pcappush's commands, in pipeline order; man pages refer to
// each other through this list.
var Tools = []string{"stream_cat", "pcap_decap", "pcap_filter", "pcap_split", "push_realtime", "pcapgen"}

// Example is one use of a tool, shown in its --help and its man page.
type Example struct {
	Comment string // what the command does, one line
	Command string // one shell command line
}

// Section is a titled list after the description, e.g. FILES.
type Section struct {
	Title string // upper case, e.g. "FILES"
	Items []Item
}

// Item is one entry of a Section: a path, a variable, a signal.
type Item struct {
	Name, Text string
}

// Help is what a tool's --help says besides its options. Its man page is
// made from the same text and the same flags (see WriteMan).
//
// Description and Section texts are paragraphs separated by blank lines;
// a line that starts with a space is shown as it is, in roff as literal
// text.
type Help struct {
	Synopsis    []string  // one line per way to call the tool, each starting with its name
	Description string    // what it does and what a user must know
	Sections    []Section // further sections, after the description
	Examples    []Example // two or more
	SeeAlso     []string  // man pages besides the other pcappush tools, e.g. "tcpdump(8)"
}

// ExitStatus is the exit code section every tool shares.
const ExitStatus = `0  success, or stopped by SIGTERM or SIGINT after finishing what was read
1  runtime failure: I/O, corrupt input, a failed command or stage
2  usage or configuration error (before any input is touched), with a Try: line`

const helpKey = "pcappush.help"

// helpTemplate is urfave/cli's app help with the sections of a man page:
// NAME, USAGE, DESCRIPTION, the extra sections, OPTIONS, EXAMPLES, EXIT
// STATUS, VERSION. Flags are printed as urfave/cli prints them.
const helpTemplate = `NAME:
   {{.Name}} - {{.Usage}}

USAGE:
   {{wrap .UsageText 3}}{{with .Description}}

DESCRIPTION:
   {{wrap . 3}}{{end}}{{with index .Metadata "pcappush.sections"}}{{.}}{{end}}

OPTIONS:{{range .VisibleFlags}}
   {{wrap .String 6}}{{end}}{{with index .Metadata "pcappush.examples"}}

EXAMPLES:
{{.}}{{end}}

EXIT STATUS:
   {{wrap (index .Metadata "pcappush.exit") 3}}

VERSION:
   {{.Version}}
`

// SetHelp gives app the help text h: its synopsis becomes the usage text,
// and --help prints every section of the man page.
func SetHelp(app *cli.App, h Help) {
	app.UsageText = strings.Join(h.Synopsis, "\n")
	app.Description = strings.TrimSpace(h.Description)
	if app.Metadata == nil {
		app.Metadata = map[string]any{}
	}
	app.Metadata[helpKey] = h
	app.Metadata["pcappush.exit"] = ExitStatus
	var sec, ex strings.Builder
	for _, s := range h.Sections {
		sec.WriteString("\n\n" + s.Title + ":")
		for _, it := range s.Items {
			sec.WriteString("\n   " + it.Name + "\t" + it.Text)
		}
	}
	for i, e := range h.Examples {
		if i > 0 {
			ex.WriteString("\n")
		}
		ex.WriteString("   # " + e.Comment + "\n   " + e.Command + "\n")
	}
	app.Metadata["pcappush.sections"] = sec.String()
	app.Metadata["pcappush.examples"] = strings.TrimSuffix(ex.String(), "\n")
	app.CustomAppHelpTemplate = helpTemplate
}
