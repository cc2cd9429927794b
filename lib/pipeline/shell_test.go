package pipeline

import (
	"os/exec"
	"strings"
	"testing"
)

// TestShellQuotingCannotEscape runs the rendered text through /bin/sh and
// checks that every hostile value arrives as one argument, unchanged, and
// nothing else runs.
func TestShellQuotingCannotEscape(t *testing.T) {
	hostile := []string{
		"net 192.168.1.0/24 and tcp",
		`it's`,
		`"double" 'single'`,
		"a; touch /tmp/pcappush-pwned",
		"$(touch /tmp/pcappush-pwned)",
		"`touch /tmp/pcappush-pwned`",
		"line\nbreak; touch /tmp/pcappush-pwned",
		"trailing\\",
		"${HOME} $HOME *",
		"",
		"-o",
		"ünïcødé",
	}
	p := Pipeline{Stages: []Stage{
		{Name: "printf", Path: "printf", Args: append([]string{`%s\0`}, hostile...)},
		{Name: "cat", Path: "cat"},
	}}
	out, err := exec.Command("/bin/sh", "-c", p.Shell()).Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", p.Shell(), err)
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\x00"), "\x00")
	if len(got) != len(hostile) {
		t.Fatalf("sh saw %d arguments %q; want %d", len(got), got, len(hostile))
	}
	for i := range hostile {
		if got[i] != hostile[i] {
			t.Errorf("argument %d arrived as %q; want %q", i, got[i], hostile[i])
		}
	}
	if err := exec.Command("test", "-e", "/tmp/pcappush-pwned").Run(); err == nil {
		t.Fatal("a quoted value ran a command")
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/bin/pcap_split": "/usr/bin/pcap_split",
		"--split-time":        "--split-time",
		"60e9":                "60e9",
		"a b":                 "'a b'",
		"it's":                `'it'\''s'`,
		"":                    "''",
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s; want %s", in, got, want)
		}
	}
}

// TestStageEnvironment: a stage's variables reach it when run and when its
// text is run by the shell, quoted.
func TestStageEnvironment(t *testing.T) {
	value := "it's $(touch /tmp/pcappush-pwned); x"
	p := Pipeline{Stages: []Stage{{Name: "sh", Path: "/bin/sh", Args: []string{"-c", `printf %s "$PCAPPUSH_TARGET" >&2`}, Env: []string{"PCAPPUSH_TARGET=" + value}}}}
	if want := `PCAPPUSH_TARGET='it'\''s $(touch /tmp/pcappush-pwned); x' /bin/sh -c 'printf %s "$PCAPPUSH_TARGET" >&2'`; p.Shell() != want {
		t.Errorf("Shell() = %s; want %s", p.Shell(), want)
	}
	out, err := exec.Command("/bin/sh", "-c", p.Shell()).CombinedOutput()
	if err != nil || string(out) != value {
		t.Errorf("the shell ran it with %q, %v; want %q", out, err, value)
	}
	var stderr strings.Builder
	r, err := Start(p, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	<-r.Done()
	if r.Err() != nil || stderr.String() != value {
		t.Errorf("run with %q, %v; want %q", stderr.String(), r.Err(), value)
	}
}
