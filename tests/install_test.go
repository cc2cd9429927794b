package tests

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/config"
	"github.com/pcappush/pcappush/lib/install"
)

// makeIn runs make in the repository with args, as an operator would, and
// returns its output. Variables of an enclosing make are not passed on.
func makeIn(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, testutil.Need(t, "make"), append([]string{"--no-print-directory"}, args...)...)
	cmd.Dir = testutil.Root(t)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// tree returns every file and folder under root with its permission bits.
func tree(t *testing.T, root string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = info.Mode() & (fs.ModePerm | fs.ModeDir)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantLayout is what `make install DESTDIR=... PREFIX=/usr` must install.
func wantLayout() map[string]fs.FileMode {
	dir := fs.ModeDir | 0o755
	want := map[string]fs.FileMode{}
	for _, d := range []string{"etc", "etc/pcappush", "usr", "usr/bin", "usr/lib", "usr/lib/systemd",
		"usr/lib/systemd/system", "usr/lib/sysusers.d", "usr/lib/tmpfiles.d", "usr/share", "usr/share/man",
		"usr/share/man/man1", "usr/share/man/man5", "usr/share/bash-completion", "usr/share/bash-completion/completions"} {
		want[d] = dir
	}
	for _, tool := range install.Tools {
		want["usr/bin/"+tool] = 0o755
		want["usr/share/man/man1/"+tool+".1"] = 0o644
		want["usr/share/bash-completion/completions/"+tool] = 0o777 // a link to stream_cat's
	}
	for _, f := range []string{"etc/pcappush/push_realtime.lua", "etc/pcappush/push_realtime.lua.example",
		"usr/lib/systemd/system/push_realtime.service", "usr/lib/sysusers.d/pcappush.conf", "usr/lib/tmpfiles.d/pcappush.conf",
		"usr/share/man/man5/push_realtime.lua.5", "usr/share/bash-completion/completions/stream_cat"} {
		want[f] = 0o644
	}
	return want
}

// TestInstall: `make install` with DESTDIR and PREFIX puts the tools, man
// pages, unit, sysusers entry and configuration in place with their modes;
// the unit agrees with push_realtime's defaults and passes systemd-analyze
// verify; the example configuration loads; a second install keeps an
// edited configuration; `make uninstall` removes all but the configuration.
func TestInstall(t *testing.T) {
	tmp := t.TempDir()
	root := filepath.Join(tmp, "root")
	vars := []string{"DESTDIR=" + root, "PREFIX=/usr", "BIN=" + filepath.Join(tmp, "bin")}
	makeIn(t, append([]string{"install"}, vars...)...)
	if diff := cmp.Diff(wantLayout(), tree(t, root)); diff != "" {
		t.Fatalf("installed tree (-want +got):\n%s", diff)
	}
	example := filepath.Join(root, "etc/pcappush/push_realtime.lua.example")
	src, _ := os.ReadFile(filepath.Join(testutil.Root(t), "packaging/push_realtime.lua.example"))
	for _, f := range []string{example, filepath.Join(root, "etc/pcappush/push_realtime.lua")} {
		if b, err := os.ReadFile(f); err != nil || string(b) != string(src) {
			t.Errorf("%s: %v; want packaging/push_realtime.lua.example", f, err)
		}
	}
	t.Run("unit", func(t *testing.T) { checkUnit(t, root) })
	t.Run("verify", func(t *testing.T) { verifyUnit(t, root) })
	t.Run("sysusers", func(t *testing.T) { checkSysusers(t, root) })
	t.Run("example config", func(t *testing.T) { checkExampleConfig(t, root, example) })
	t.Run("man pages", func(t *testing.T) { checkManPages(t, root) })

	// an operator's configuration survives a reinstall
	conf := filepath.Join(root, "etc/pcappush/push_realtime.lua")
	mine := "-- mine\n" + string(src)
	if err := os.WriteFile(conf, []byte(mine), 0o640); err != nil {
		t.Fatal(err)
	}
	out := makeIn(t, append([]string{"install"}, vars...)...)
	if b, _ := os.ReadFile(conf); string(b) != mine || !strings.Contains(out, "kept "+conf) {
		t.Errorf("reinstall replaced %s or did not say it kept it:\n%s", conf, out)
	}

	makeIn(t, append([]string{"uninstall"}, vars...)...)
	var files []string
	for p, m := range tree(t, root) {
		if !m.IsDir() {
			files = append(files, p)
		}
	}
	slices.Sort(files)
	if diff := cmp.Diff([]string{"etc/pcappush/push_realtime.lua"}, files); diff != "" {
		t.Errorf("files left by uninstall (-want +got):\n%s", diff)
	}
}

// unitKeys parses a systemd unit: key to values, in order.
func unitKeys(text string) map[string][]string {
	keys := map[string][]string{}
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(l, "="); ok && !strings.HasPrefix(l, "#") {
			keys[k] = append(keys[k], v)
		}
	}
	return keys
}

// helpDefault returns the default push_realtime --help shows for a flag.
func helpDefault(t *testing.T, help, flag string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^\s+--` + flag + ` \S+ .*\(default: (?:Config\.\w+, else )?"?([^")]+)"?\)`).FindStringSubmatch(help)
	if m == nil {
		t.Fatalf("push_realtime --help shows no default for --%s", flag)
	}
	return m[1]
}

func checkUnit(t *testing.T, root string) {
	b, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system/push_realtime.service"))
	if err != nil {
		t.Fatal(err)
	}
	k := unitKeys(string(b))
	help := string(testutil.MustRun(t, nil, filepath.Join(root, "usr/bin/push_realtime"), "--help").Stdout)
	config := helpDefault(t, help, "config")
	state, logs := helpDefault(t, help, "state-dir"), helpDefault(t, help, "log-dir")
	want := map[string]string{
		"ExecStart":       "/usr/bin/push_realtime --config " + config,
		"ExecReload":      "/bin/kill -HUP $MAINPID",
		"User":            "pcappush",
		"Restart":         "on-failure",
		"KillSignal":      "SIGTERM",
		"KillMode":        "mixed",
		"NoNewPrivileges": "yes",
		"ProtectSystem":   "strict",
		"PrivateTmp":      "yes",
		"StateDirectory":  strings.TrimPrefix(state, "/var/lib/"),
		"LogsDirectory":   strings.TrimPrefix(logs, "/var/log/"),
		"ReadWritePaths":  state + " " + logs,
		"WantedBy":        "multi-user.target",
	}
	for key, v := range want {
		if got := k[key]; len(got) != 1 || got[0] != v {
			t.Errorf("%s=%q; want %q", key, got, v)
		}
	}
	stop, err1 := time.ParseDuration(helpDefault(t, help, "stop-timeout"))
	limit, err2 := time.ParseDuration(strings.Join(k["TimeoutStopSec"], ""))
	if err1 != nil || err2 != nil || limit <= stop {
		t.Errorf("TimeoutStopSec=%q must exceed push_realtime's --stop-timeout %v (%v, %v)", k["TimeoutStopSec"], stop, err1, err2)
	}
	if rs, err := time.ParseDuration(strings.Join(k["RestartSec"], "")); err != nil || rs < time.Second {
		t.Errorf("RestartSec=%q; want a second or more", k["RestartSec"])
	}
}

// checkSysusers creates the service user from the installed sysusers.d
// entry in an empty root with systemd-sysusers (skipped without it, as
// verifyUnit is).
func checkSysusers(t *testing.T, root string) {
	su, err := exec.LookPath("systemd-sysusers")
	if err != nil {
		t.Skip("systemd-sysusers not installed")
	}
	sys := t.TempDir()
	if err := os.Mkdir(filepath.Join(sys, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	testutil.MustRun(t, nil, su, "--root="+sys, filepath.Join(root, "usr/lib/sysusers.d/pcappush.conf"))
	passwd, _ := os.ReadFile(filepath.Join(sys, "etc/passwd"))
	if !regexp.MustCompile(`(?m)^pcappush:x:\d+:\d+:[^:]*:/var/lib/pcappush:/usr/sbin/nologin$`).Match(passwd) {
		t.Errorf("systemd-sysusers made no system user pcappush:\n%s", passwd)
	}
}

// verifyUnit runs systemd-analyze verify on the installed unit, with
// ExecStart pointing into the staging folder (verify checks that the
// binary exists) and the staged man pages on MANPATH (verify checks
// Documentation=). systemd is not installed for the tests: without
// systemd-analyze this check is skipped, even in CI.
func verifyUnit(t *testing.T, root string) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	b, err := os.ReadFile(filepath.Join(root, "usr/lib/systemd/system/push_realtime.service"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	unit := filepath.Join(dir, "push_realtime.service")
	staged := strings.Replace(string(b), "ExecStart=/usr/bin/", "ExecStart="+root+"/usr/bin/", 1)
	if err := os.WriteFile(unit, []byte(staged), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(sa, "verify", unit)
	cmd.Env = append(os.Environ(), "MANPATH="+filepath.Join(root, "usr/share/man"))
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func checkExampleConfig(t *testing.T, root, example string) {
	bin := filepath.Join(root, "usr/bin")
	res := testutil.MustRun(t, nil, filepath.Join(bin, "push_realtime"), "--dry-run", "--config", example, "--bin-dir", bin)
	// The ids are the targets' own (the state folder cannot be written
	// here: fresh ones), never a placeholder.
	out := regexp.MustCompile(`--uid push_\d+ `).ReplaceAllString(string(res.Stdout), "--uid push_ID ")
	for _, want := range []string{
		"# pcap-all\n" + bin + "/stream_cat --uid push_ID --store /var/lib/pcappush/capture --state-dir /var/lib/pcappush/state --follow ",
		" | " + bin + "/pcap_split --uid push_ID -o /mnt/remote0/push/all --split-time 60e9 --filename-epoch-sec-startend ",
		"# pcap-tcp\n",
		" | " + bin + "/pcap_decap | " + bin + "/pcap_filter --bpf 'net 192.168.1.0/24 and tcp' --compiled '1:12,40 0 0 12,",
		" -o /mnt/remote0/push/tcp --split-time 60e9 --filename-epoch-sec-startend --pipe-cmd 'gzip -c -1' --filename-suffix .pcap.gz ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("push_realtime --dry-run of the example lacks %q:\n%s", want, out)
		}
	}
	if len(res.Stderr) != 0 {
		t.Errorf("push_realtime --dry-run of the example warned: %s", res.Stderr)
	}
}

// checkManPages renders each installed man page with groff, which must
// not warn, and checks the sections and every option --help lists.
func checkManPages(t *testing.T, root string) {
	groff := testutil.Need(t, "groff")
	for _, tool := range install.Tools {
		page := filepath.Join(root, "usr/share/man/man1", tool+".1")
		src, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range src {
			if c > 0x7e || (c < 0x20 && c != '\n') {
				t.Errorf("%s: byte %d is %#x; pages are plain ASCII", page, i, c)
				break
			}
		}
		res := testutil.Run(t, nil, groff, "-man", "-Tutf8", "-ww", "-rLL=200n", page)
		if res.Code != 0 || len(res.Stderr) != 0 {
			t.Errorf("groff %s: exit %d\n%s", page, res.Code, res.Stderr)
		}
		text := regexp.MustCompile(`.\x08|\x1b\[[0-9;]*m`).ReplaceAllString(string(res.Stdout), "") // bold and underline, overstruck or SGR
		for _, sec := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXAMPLES", "EXIT STATUS", "SEE ALSO"} {
			if !regexp.MustCompile(`(?m)^` + sec + `$`).MatchString(text) {
				t.Errorf("%s.1 has no %s section:\n%s", tool, sec, text)
			}
		}
		help := testutil.MustRun(t, nil, filepath.Join(root, "usr/bin", tool), "--help")
		sec := testutil.HelpSections(string(help.Stdout))
		if n := len(testutil.ExampleCommands(sec["EXAMPLES"], tool)); n < 2 {
			t.Errorf("%s --help: %d examples", tool, n)
		}
		for _, l := range sec["OPTIONS"] {
			term, _, _ := strings.Cut(strings.TrimSpace(l), "  ")
			term, _, _ = strings.Cut(term, " [ ")
			if term != "" && !strings.Contains(text, term) {
				t.Errorf("%s.1 lacks option %q of --help", tool, term)
			}
		}
	}
	checkConfigManPage(t, root, groff)
}

// checkConfigManPage renders push_realtime.lua(5) with groff, which must
// not warn, checks that it names every field of the reference, and that
// man finds both sections under the installed MANPATH.
func checkConfigManPage(t *testing.T, root, groff string) {
	page := filepath.Join(root, "usr/share/man/man5/push_realtime.lua.5")
	res := testutil.Run(t, nil, groff, "-man", "-Tutf8", "-ww", "-rLL=200n", page)
	if res.Code != 0 || len(res.Stderr) != 0 {
		t.Errorf("groff %s: exit %d\n%s", page, res.Code, res.Stderr)
	}
	text := regexp.MustCompile(`.\x08|\x1b\[[0-9;]*m`).ReplaceAllString(string(res.Stdout), "")
	for _, sec := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "TARGET FIELDS", "GLOBALS", "EXAMPLES", "FILES", "SEE ALSO"} {
		if !regexp.MustCompile(`(?m)^` + sec + `$`).MatchString(text) {
			t.Errorf("push_realtime.lua.5 has no %s section", sec)
		}
	}
	for _, f := range config.Reference() {
		if !regexp.MustCompile(`(?m)^\s+` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(text) {
			t.Errorf("push_realtime.lua.5 has no entry for %s", f.Name)
		}
	}
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man not installed")
	}
	for _, name := range []string{"push_realtime", "push_realtime.lua"} {
		cmd := exec.Command(man, "-w", name)
		cmd.Env = append(os.Environ(), "MANPATH="+filepath.Join(root, "usr/share/man"))
		if out, err := cmd.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), root) {
			t.Errorf("MANPATH=%s man -w %s: %v %s", filepath.Join(root, "usr/share/man"), name, err, out)
		}
	}
}
