package manual

import (
	"testing"
)

func TestMdText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"stream_cat and push_<ns>", `stream_cat and push\_\<ns\>`},
		{"*.pcap, x.pcap1", `\*.pcap, x.pcap1`},
		{"_emph_ [link] `code` a\\b", `\_emph\_ \[link\] \` + "`" + `code\` + "`" + ` a\\b`},
		{"plain words", "plain words"},
	}
	for _, tt := range tests {
		if got := mdText(tt.in); got != tt.want {
			t.Errorf("mdText(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := mdCell("a | b"); got != `a \| b` {
		t.Errorf("mdCell = %q", got)
	}
}
