package config

import (
	"fmt"
	"io"
	"strings"

	"github.com/pcappush/pcappush/lib/install"
	"github.com/pcappush/pcappush/lib/manual"
)

const manDescription = `push_realtime(1) reads this file at start and on SIGHUP. It is Lua, run as
real Lua; it returns a table Config whose list Config.Target holds the
targets, each a table of the fields below, and whose other keys are the
globals:

 local Config = {}
 Config.Target = {}
 table.insert(Config.Target, { Desc = "pcap-all", Mode = "File", Path = "/mnt/remote0/push/all",
         Split = "--split-time 60e9", FileName = "--filename-epoch-sec-startend", FilterBPF = nil })
 return Config

Every field of every target is checked when the file is loaded, before
anything starts: a mistake stops push_realtime with exit status 2 and a
message naming the file, the target and the field, with the closest known
name for a misspelt one. push_realtime --dry-run checks a file and prints
each target's pipeline.

Command-line flags win over the globals, which win over the defaults.

The file is code: it runs with push_realtime's rights, and PipeCmd and Post
are shell commands by design. Keep it owned by root and writable by nobody
else; push_realtime warns when it is group- or world-writable. Every other
value is passed to the tools as one quoted argument. Credentials belong in
the rclone configuration file (mode 0640, owned by root:pcappush), not here.`

// WriteMan writes the man page push_realtime.lua(5) in roff: the fields
// and globals of Reference, with their defaults, and Examples.
func WriteMan(w io.Writer, date, version string) error {
	b := new(strings.Builder)
	r := manual.Roff
	fmt.Fprintf(b, ".TH PUSH_REALTIME.LUA 5 %q %q \"pcappush manual\"\n", date, "pcappush "+version)
	b.WriteString(".SH NAME\npush_realtime.lua \\- push_realtime's configuration: the push targets and the globals\n")
	fmt.Fprintf(b, ".SH SYNOPSIS\n.PP\n%s\n", r(install.ConfigFile))
	b.WriteString(".SH DESCRIPTION\n")
	manual.RoffText(b, manDescription)
	for _, sec := range []struct {
		title  string
		target bool
	}{{"TARGET FIELDS", true}, {"GLOBALS", false}} {
		fmt.Fprintf(b, ".SH %s\n", sec.title)
		for _, f := range Reference() {
			if f.Target == sec.target {
				fmt.Fprintf(b, ".TP\n.B %s\n(%s) %s\n", r(f.Name), r(f.status()), r(f.Text))
			}
		}
	}
	b.WriteString(".SH EXAMPLES\n")
	for _, e := range Examples() {
		fmt.Fprintf(b, ".PP\n%s:\n", r(upperFirst(e.Title)))
		writeLiteral(b, e.Lua)
		if e.Rclone != "" {
			b.WriteString(".PP\nwith, in the rclone configuration file:\n")
			writeLiteral(b, e.Rclone)
		}
	}
	b.WriteString(".SH FILES\n")
	for _, it := range [][2]string{
		{install.ConfigFile, "the configuration (--config, PCAPPUSH_CONFIG)"},
		{install.RcloneConfig, "the remotes of RCLONE targets (Config.RcloneConfig)"},
	} {
		fmt.Fprintf(b, ".TP\n.B %s\n%s\n", r(it[0]), r(it[1]))
	}
	b.WriteString(".SH SEE ALSO\n\\fBpush_realtime\\fR(1), \\fBpcap_split\\fR(1), \\fBpcap_filter\\fR(1), \\fBpcap_decap\\fR(1), \\fBpcap\\-filter\\fR(7), \\fBrclone\\fR(1)\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeLiteral(b *strings.Builder, text string) {
	b.WriteString(".RS 4\n.nf\n")
	for _, l := range strings.Split(text, "\n") {
		b.WriteString(manual.Roff(l) + "\n")
	}
	b.WriteString(".fi\n.RE\n")
}

// status is what a field's entry says first: required, or its default.
func (f Field) status() string {
	if f.Required {
		return "required"
	}
	return "default " + f.Default
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// WriteMarkdown writes the reference as Markdown: a table of the targets'
// fields and a table of the globals.
func WriteMarkdown(w io.Writer) error {
	b := new(strings.Builder)
	b.WriteString("| field | | meaning |\n| --- | --- | --- |\n")
	for _, f := range Reference() {
		if f.Target {
			fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.Name, f.status(), f.Text)
		}
	}
	b.WriteString("\n| global | | meaning |\n| --- | --- | --- |\n")
	for _, f := range Reference() {
		if !f.Target {
			fmt.Fprintf(b, "| `%s` | %s | %s |\n", f.Name, f.status(), f.Text)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
