package cliutil

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestRoff(t *testing.T) {
	tests := []struct{ in, want string }{
		{"--split-time", `\-\-split\-time`},
		{`a\b`, `a\eb`},
		{".complete marker", `\&.complete marker`},
		{"'quoted'", `\&'quoted'`},
		{"plain words", "plain words"},
	}
	for _, tt := range tests {
		if got := roff(tt.in); got != tt.want {
			t.Errorf("roff(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestOptionTermAndSynopsis(t *testing.T) {
	tests := []struct {
		f    func(string) string
		in   string
		want string
	}{
		{optionTerm, "--store DIR", `\fB\-\-store\fR \fIDIR\fR`},
		{optionTerm, "--follow, -f", `\fB\-\-follow\fR, \fB\-f\fR`},
		{optionTerm, "--write FILE, -w FILE", `\fB\-\-write\fR \fIFILE\fR, \fB\-w\fR \fIFILE\fR`},
		{synopsisLine, "tool [--store DIR] (--a N | --b) < in", `\fBtool\fR [\fB\-\-store\fR DIR] (\fB\-\-a\fR N | \fB\-\-b\fR) < in`},
		{synopsisLine, "tool [--x]", `\fBtool\fR [\fB\-\-x\fR]`},
	}
	for _, tt := range tests {
		if got := tt.f(tt.in); got != tt.want {
			t.Errorf("(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func testApp(stdout *bytes.Buffer) *cli.App {
	app := NewApp("tool", "do a thing", stdout, stdout)
	SetHelp(app, Help{
		Synopsis:    []string{"tool [--n N] IN", "tool --list"},
		Description: "First paragraph\nwith two lines.\n\n   tool --n 3 x | literal\n\nLast.",
		Sections:    []Section{{Title: "FILES", Items: []Item{{Name: "/etc/tool.conf", Text: "the config"}}}},
		Examples:    []Example{{Comment: "three", Command: "tool --n 3 x"}, {Comment: "list", Command: "tool --list"}},
		SeeAlso:     []string{"tcpdump(8)", "pcap_split(1)"},
	})
	app.Flags = []cli.Flag{
		&cli.IntFlag{Name: "count", Value: 1, Usage: "do it `N` times"},
		&cli.BoolFlag{Name: "list", Usage: "list things"},
		&cli.StringFlag{Name: "dir", EnvVars: []string{"TOOL_DIR"}, Usage: "work in `DIR`"},
	}
	app.Action = func(*cli.Context) error { stdout.WriteString("ran\n"); return nil }
	return app
}

func TestHelpSections(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), testApp(&out), []string{"tool", "--help"}); err != nil {
		t.Fatal(err)
	}
	want := `NAME:
   tool - do a thing

USAGE:
   tool [--n N] IN
   tool --list

DESCRIPTION:
   First paragraph
   with two lines.

      tool --n 3 x | literal

   Last.

FILES:
   /etc/tool.conf  the config

OPTIONS:
   --count N      do it N times (default: 1)
   --list         list things
   --dir DIR      work in DIR [$TOOL_DIR]
   --help, -h     show help
   --version, -V  print the version

EXAMPLES:
   # three
   tool --n 3 x

   # list
   tool --list

EXIT STATUS:
   0  success, or stopped by SIGTERM or SIGINT after finishing what was read
   1  runtime failure: I/O, corrupt input, a failed command or stage
   2  usage or configuration error (before any input is touched), with a Try: line

VERSION:
   dev
`
	if got := out.String(); got != want {
		t.Errorf("--help:\n%s\nwant:\n%s", got, want)
	}
}

func TestMan(t *testing.T) {
	var out bytes.Buffer
	t.Setenv("SOURCE_DATE_EPOCH", "1621849860")
	if err := Run(context.Background(), testApp(&out), []string{"tool", "--man"}); err != nil {
		t.Fatal(err)
	}
	man := out.String()
	for _, want := range []string{
		".TH TOOL 1 \"2021-05-24\" \"pcappush dev\" \"pcappush manual\"\n.SH NAME\ntool \\- do a thing\n",
		".SH SYNOPSIS\n.PP\n\\fBtool\\fR [\\fB\\-\\-n\\fR N] IN\n.br\n\\fBtool\\fR \\fB\\-\\-list\\fR\n",
		".SH DESCRIPTION\n.PP\nFirst paragraph\nwith two lines.\n.PP\n.RS 4\n.nf\ntool \\-\\-n 3 x | literal\n.fi\n.RE\n.PP\nLast.\n",
		".SH FILES\n.TP\n.B /etc/tool.conf\nthe config\n",
		".TP\n\\fB\\-\\-count\\fR \\fIN\\fR\ndo it N times (default: 1)\n",
		".TP\n\\fB\\-\\-list\\fR\nlist things\n",
		".SH EXAMPLES\n.PP\nthree\n.PP\n.RS 4\n.nf\ntool \\-\\-n 3 x\n.fi\n.RE\n",
		".SH EXIT STATUS\n.TP\n.B 0\n",
		".SH ENVIRONMENT\n.TP\n.B TOOL_DIR\nthe default of \\fB\\-\\-dir\\fR\n",
		".SH SEE ALSO\n\\fBstream_cat\\fR(1), \\fBpcap_decap\\fR(1), \\fBpcap_filter\\fR(1), \\fBpcap_split\\fR(1), \\fBpush_realtime\\fR(1), \\fBpcapgen\\fR(1), \\fBtcpdump\\fR(8)\n",
	} {
		if !strings.Contains(man, want) {
			t.Errorf("man page lacks\n%s\n-- page:\n%s", want, man)
		}
	}
	if strings.Contains(man, "ran\n") || strings.Contains(man, "write the man page") {
		t.Errorf("--man ran the action or listed itself:\n%s", man)
	}
}

func TestManWithoutHelp(t *testing.T) {
	for _, flag := range []string{"--man", "--markdown"} {
		var out bytes.Buffer
		app := NewApp("tool", "x", &out, &out)
		if err := Run(context.Background(), app, []string{"tool", flag}); err == nil || !strings.Contains(err.Error(), "SetHelp") {
			t.Errorf("%s without SetHelp: %v; want an error naming SetHelp", flag, err)
		}
	}
}

func TestManDate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	if got := ManDate(); got != "1970-01-01" {
		t.Errorf("ManDate() = %q with SOURCE_DATE_EPOCH=0", got)
	}
}
