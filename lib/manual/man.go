package manual

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pcappush/pcappush/lib/install"
	"github.com/urfave/cli/v2"
)

// ManDate is the date a man page shows: SOURCE_DATE_EPOCH when set (for
// reproducible builds), else today, in UTC.
func ManDate() string {
	t := time.Now()
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			t = time.Unix(n, 0)
		}
	}
	return t.UTC().Format("2006-01-02")
}

// WriteMan writes app's man page, section 1, in roff (man macros): NAME,
// SYNOPSIS, DESCRIPTION, the extra sections, OPTIONS, EXAMPLES, EXIT
// STATUS, ENVIRONMENT, SEE ALSO. The text is the one --help prints: the
// Help given to SetHelp and each visible flag's help line. app must have
// been set up (Run calls WriteMan from inside app.Run).
func WriteMan(w io.Writer, app *cli.App, date string) error {
	h, ok := app.Metadata[helpKey].(Help)
	if !ok {
		return errors.New("no help text to make a man page of (SetHelp was not called)")
	}
	b := new(strings.Builder)
	name := app.Name
	fmt.Fprintf(b, ".TH %s 1 %q %q \"pcappush manual\"\n", strings.ToUpper(roff(name)), date, "pcappush "+app.Version)
	fmt.Fprintf(b, ".SH NAME\n%s \\- %s\n", roff(name), roff(app.Usage))
	b.WriteString(".SH SYNOPSIS\n")
	b.WriteString(".PP\n")
	for i, s := range h.Synopsis {
		if i > 0 {
			b.WriteString(".br\n")
		}
		b.WriteString(synopsisLine(s) + "\n")
	}
	if h.Description != "" {
		b.WriteString(".SH DESCRIPTION\n")
		writeText(b, h.Description)
	}
	for _, s := range h.Sections {
		fmt.Fprintf(b, ".SH %s\n", roff(s.Title))
		for _, it := range s.Items {
			fmt.Fprintf(b, ".TP\n.B %s\n%s\n", roff(it.Name), roff(it.Text))
		}
	}
	writeOptions(b, app.VisibleFlags())
	if len(h.Examples) > 0 {
		b.WriteString(".SH EXAMPLES\n")
		for _, e := range h.Examples {
			fmt.Fprintf(b, ".PP\n%s\n.PP\n.RS 4\n.nf\n%s\n.fi\n.RE\n", roff(e.Comment), roff(e.Command))
		}
	}
	b.WriteString(".SH EXIT STATUS\n")
	for _, l := range strings.Split(ExitStatus, "\n") {
		code, text, _ := strings.Cut(l, " ")
		fmt.Fprintf(b, ".TP\n.B %s\n%s\n", code, roff(strings.TrimSpace(text)))
	}
	writeEnvironment(b, app.VisibleFlags())
	writeSeeAlso(b, name, h.SeeAlso)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeText writes paragraphs; lines starting with a space are literal.
func writeText(b *strings.Builder, text string) {
	b.WriteString(".PP\n")
	literal := false
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		isLit := strings.HasPrefix(l, " ")
		switch {
		case isLit && !literal:
			b.WriteString(".RS 4\n.nf\n")
		case !isLit && literal:
			b.WriteString(".fi\n.RE\n")
		}
		literal = isLit
		switch {
		case strings.TrimSpace(l) == "" && !literal:
			b.WriteString(".PP\n")
		case literal:
			b.WriteString(roff(strings.TrimPrefix(trimIndent(l), " ")) + "\n")
		default:
			b.WriteString(roff(l) + "\n")
		}
	}
	if literal {
		b.WriteString(".fi\n.RE\n")
	}
}

// trimIndent removes up to three leading spaces, the help text's indent
// for literal lines.
func trimIndent(l string) string {
	for i := 0; i < 3 && strings.HasPrefix(l, " "); i++ {
		l = l[1:]
	}
	return l
}

// writeOptions writes one tagged paragraph per flag, from the flag's help
// line: names and placeholder before the tab, the text after it.
func writeOptions(b *strings.Builder, flags []cli.Flag) {
	b.WriteString(".SH OPTIONS\n")
	for _, f := range flags {
		term, text := flagLine(f)
		fmt.Fprintf(b, ".TP\n%s\n%s\n", optionTerm(term), roff(text))
	}
}

// optionTerm sets flag names in bold and placeholders in italics.
func optionTerm(term string) string {
	var parts []string
	for _, alt := range strings.Split(term, ", ") {
		words := strings.Fields(alt)
		for i, w := range words {
			if strings.HasPrefix(w, "-") {
				words[i] = `\fB` + roff(w) + `\fR`
			} else {
				words[i] = `\fI` + roff(w) + `\fR`
			}
		}
		parts = append(parts, strings.Join(words, " "))
	}
	return strings.Join(parts, ", ")
}

// synopsisLine sets the tool's name in bold, options in bold and the rest
// in roman.
func synopsisLine(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		core := strings.TrimLeft(w, "([")
		if i == 0 || strings.HasPrefix(core, "-") {
			lead := w[:len(w)-len(core)]
			name, rest := core, ""
			if j := strings.IndexAny(core, "])|"); j > 0 {
				name, rest = core[:j], core[j:]
			}
			words[i] = roff(lead) + `\fB` + roff(name) + `\fR` + roff(rest)
		} else {
			words[i] = roff(w)
		}
	}
	return strings.Join(words, " ")
}

func writeEnvironment(b *strings.Builder, flags []cli.Flag) {
	var lines []string
	for _, f := range flags {
		df, ok := f.(cli.DocGenerationFlag)
		if !ok {
			continue
		}
		for _, env := range df.GetEnvVars() {
			lines = append(lines, fmt.Sprintf(".TP\n.B %s\nthe default of \\fB\\-\\-%s\\fR\n", roff(env), roff(df.Names()[0])))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString(".SH ENVIRONMENT\n")
	for _, l := range lines {
		b.WriteString(l)
	}
}

func writeSeeAlso(b *strings.Builder, self string, extra []string) {
	var refs []string
	for _, t := range install.Tools {
		if t != self {
			refs = append(refs, `\fB`+roff(t)+`\fR(1)`)
		}
	}
	for _, e := range extra {
		name, sect, ok := strings.Cut(strings.TrimSuffix(e, ")"), "(")
		if !ok || slices.Contains(install.Tools, name) {
			continue
		}
		refs = append(refs, `\fB`+roff(name)+`\fR(`+roff(sect)+`)`)
	}
	fmt.Fprintf(b, ".SH SEE ALSO\n%s\n", strings.Join(refs, ", "))
}

// Roff escapes text for roff, as every pcappush man page does: see roff.
func Roff(s string) string { return roff(s) }

// RoffText writes text as man macros: paragraphs separated by blank
// lines; a line that starts with a space is literal.
func RoffText(b *strings.Builder, text string) { writeText(b, text) }

// roff escapes text for roff: backslashes, hyphens (so that options stay
// copyable), and a leading dot or quote, which would start a request.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
