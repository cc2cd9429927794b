package manual

import (
	"testing"
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

func TestManDate(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "0")
	if got := ManDate(); got != "1970-01-01" {
		t.Errorf("ManDate() = %q with SOURCE_DATE_EPOCH=0", got)
	}
}
