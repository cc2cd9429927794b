package quote

import "testing"

func TestNameAndOneLine(t *testing.T) {
	tests := []struct{ in, name, line string }{
		{"capture1_20210521_0101", "capture1_20210521_0101", "capture1_20210521_0101"},
		{"café ring 2", "café ring 2", "café ring 2"},
		{"a\nb", `"a\nb"`, `a\nb`},
		{"x\x1b[2Jy", `"x\x1b[2Jy"`, `x\x1b[2Jy`},
		{"bad\xffutf8", `"bad\xffutf8"`, `bad\xffutf8`},
		{"tab\there", `"tab\there"`, `tab\there`},
		{"csi\u009b31m", `"csi\u009b31m"`, `csi\u009b31m`},
		{"line\u2028sep", `"line\u2028sep"`, `line\u2028sep`},
		{"real \uFFFD", "real \uFFFD", "real \uFFFD"},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.name {
			t.Errorf("Name(%q) = %s; want %s", tt.in, got, tt.name)
		}
		if got := OneLine(tt.in); got != tt.line {
			t.Errorf("OneLine(%q) = %s; want %s", tt.in, got, tt.line)
		}
	}
}

func TestPrintableMixed(t *testing.T) {
	if Printable("\uFFFD\xff") {
		t.Error("a real U+FFFD hid an invalid byte")
	}
}
