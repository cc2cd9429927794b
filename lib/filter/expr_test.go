package filter

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseExprFile(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tcp\n", "tcp\n"},
		{"tcp # web\n or udp\n", "tcp      \n or udp\n"},
		{"# only a comment", "                "},
		{"tc#x\np", "tc  \np"},
		{"tcp\x00 or udp", "tcp"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ParseExprFile([]byte(tt.in)); got != tt.want {
			t.Errorf("ParseExprFile(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestReadExprFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("host 10.0.0.1 # the server\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadExprFile(p); err != nil || strings.TrimSpace(got) != "host 10.0.0.1" {
		t.Errorf("ReadExprFile = %q, %v", got, err)
	}
	if _, err := ReadExprFile(p + ".missing"); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	if got := JoinArgs([]string{"net", "192.168.1.0/24", "and", "tcp"}); got != "net 192.168.1.0/24 and tcp" {
		t.Errorf("JoinArgs = %q", got)
	}
}
