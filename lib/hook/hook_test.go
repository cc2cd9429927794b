package hook

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pcappush/pcappush/lib/state/ledger"
)

// hostile is a split name that would run commands if it reached a shell
// as text.
func hostile(dir string) string {
	return filepath.Join(dir, "it's; $(touch "+dir+"/PWNED) `touch "+dir+"/PWNED` \"q\" all_1621849860.pcap")
}

func TestRunGivesEnvAndArgs(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	script := filepath.Join(dir, "post.sh")
	body := "#!/bin/sh\nprintf '%s|%s|%s|%s|%s|%s\\n' \"$1\" \"$2\" \"$3\" \"$4\" \"$5\" \"$#\" >> " + out + "\n" +
		"printf '%s|%s|%s|%s|%s|%s\\n' \"$PCAPPUSH_SPLIT_NAME\" \"$PCAPPUSH_SPLIT_BYTES\" \"$PCAPPUSH_SPLIT_PACKETS\" \"$PCAPPUSH_SPLIT_FIRST_NS\" \"$PCAPPUSH_SPLIT_LAST_NS\" \"$PCAPPUSH_TARGET\" >> " + out + "\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PCAPPUSH_TARGET", "pcap-all")
	s := ledger.Entry{Name: hostile(dir), Bytes: 80000024, Packets: 51234, First: 1621849860000000001, Last: 1621849919999999999}
	want := s.Name + "|80000024|51234|1621849860000000001|1621849919999999999|"
	for _, tt := range []struct{ name, command string }{
		{"one word: run directly", script},
		{"a snippet: by the shell", script + ` "$1" "$2" "$3" "$4" "$5"`},
	} {
		os.Remove(out)
		var stderr bytes.Buffer
		r := &Runner{Command: tt.command, Stderr: &stderr}
		r.Run(s)
		r.Wait()
		b, _ := os.ReadFile(out)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != 2 || lines[0] != want+"5" || lines[1] != want+"pcap-all" || r.Failures() != 0 {
			t.Errorf("%s: the command saw\n%s\nwant\n%s5\n%spcap-all\nstderr: %s", tt.name, b, want, want, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "PWNED")); err == nil {
		t.Fatal("a split name ran a command")
	}
}

func TestRunReportsFailures(t *testing.T) {
	tests := []struct {
		name, command string
		timeout       time.Duration
		want          string
	}{
		{"exit status", "echo to stderr >&2; exit 3", 0, "post failed for /x/a.pcap: exit status 3"},
		{"signal", "kill -9 $$", 0, "post failed for /x/a.pcap: signal: killed"},
		{"missing program", "/nonexistent/post", 0, `post failed for /x/a.pcap: cannot start "/nonexistent/post"`},
		{"timeout kills the group", "sleep 30 & sleep 30; wait", 300 * time.Millisecond, "post failed for /x/a.pcap: timed out after 300ms; killed"},
	}
	for _, tt := range tests {
		var stderr bytes.Buffer
		r := &Runner{Command: tt.command, Timeout: tt.timeout, Stderr: &stderr, Prefix: "pcap_split: "}
		start := time.Now()
		r.Run(ledger.Entry{Name: "/x/a.pcap"})
		r.Wait()
		if !strings.Contains(stderr.String(), "pcap_split: "+tt.want) || r.Failures() != 1 {
			t.Errorf("%s: stderr %q, %d failures; want a line with %q", tt.name, stderr.String(), r.Failures(), tt.want)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s: took %v", tt.name, time.Since(start))
		}
	}
}

func TestRunBoundsConcurrency(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "log")
	var stderr bytes.Buffer
	r := &Runner{Command: "echo start >> " + log + "; sleep 0.2; echo end >> " + log, Jobs: 2, Stderr: &stderr}
	for i := 0; i < 5; i++ {
		r.Run(ledger.Entry{Name: "s"})
	}
	r.Wait()
	b, _ := os.ReadFile(log)
	running, most := 0, 0
	for _, l := range strings.Fields(string(b)) {
		if l == "start" {
			running++
		} else {
			running--
		}
		most = max(most, running)
	}
	if strings.Count(string(b), "end") != 5 || most != 2 {
		t.Errorf("log %q: %d at most at once; want all 5 run, 2 at once", b, most)
	}
	if !strings.Contains(stderr.String(), "post: 2 commands still running; waiting for one to end before s") {
		t.Errorf("stderr %q: want a line saying the push waits", stderr.String())
	}
}

func TestStdinIsEmpty(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "in")
	r := &Runner{Command: "cat > " + out}
	r.Run(ledger.Entry{Name: "s"})
	r.Wait()
	if b, err := os.ReadFile(out); err != nil || len(b) != 0 {
		t.Errorf("the command read %q, %v from stdin; want nothing", b, err)
	}
}
