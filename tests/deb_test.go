package tests

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pcappush/pcappush/internal/testutil"
	"github.com/pcappush/pcappush/lib/install"
)

// debRoot is where the package is installed: a throwaway copy of a minimal
// Debian (an overlay over the root scripts/debian-root.sh made once), or
// the machine itself when CI is set.
type debRoot struct {
	dir    string // "/" for the machine itself
	chroot bool
}

// path returns p inside the root, as seen from the test.
func (r *debRoot) path(p string) string { return filepath.Join(r.dir, p) }

// run runs a command inside the root as root, or as user when given.
func (r *debRoot) run(t *testing.T, user string, args ...string) testutil.Result {
	t.Helper()
	if user != "" {
		args = append([]string{"runuser", "-u", user, "--"}, args...)
	}
	args = append([]string{"env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C"}, args...)
	if r.chroot {
		args = append([]string{"chroot", r.dir}, args...)
	}
	return testutil.Run(t, nil, args[0], args[1:]...)
}

func (r *debRoot) mustRun(t *testing.T, user string, args ...string) string {
	t.Helper()
	res := r.run(t, user, args...)
	if res.Code != 0 {
		t.Fatalf("%s: exit %d\n%s%s", strings.Join(args, " "), res.Code, res.Stdout, res.Stderr)
	}
	return string(res.Stdout)
}

// newDebRoot returns the root to install into: with CI set, the machine;
// else an overlay over .tools/debian-root (made by scripts/debian-root.sh
// when missing), with /proc mounted, both unmounted at the end.
func newDebRoot(t *testing.T) *debRoot {
	t.Helper()
	if os.Getenv("CI") != "" {
		return &debRoot{dir: "/"}
	}
	if os.Geteuid() != 0 {
		t.Skip("installing into a Debian root needs root")
	}
	base := filepath.Join(testutil.Root(t), ".tools", "debian-root")
	if res := testutil.Run(t, nil, filepath.Join(testutil.Root(t), "scripts", "debian-root.sh"), base); res.Code != 0 {
		t.Fatalf("scripts/debian-root.sh: %s", res.Stderr)
	}
	tmp := t.TempDir()
	r := &debRoot{dir: filepath.Join(tmp, "root"), chroot: true}
	for _, d := range []string{"upper", "work", "root"} {
		if err := os.Mkdir(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", base, filepath.Join(tmp, "upper"), filepath.Join(tmp, "work"))
	if err := syscall.Mount("overlay", r.dir, "overlay", 0, opts); err != nil {
		t.Fatalf("mount an overlay over %s: %v", base, err)
	}
	t.Cleanup(func() { syscall.Unmount(r.dir, syscall.MNT_DETACH) }) //nolint:errcheck // best effort
	if err := syscall.Mount("proc", r.path("/proc"), "proc", 0, ""); err != nil {
		t.Fatalf("mount /proc in the root: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(r.path("/proc"), syscall.MNT_DETACH) }) //nolint:errcheck // best effort
	return r
}

// TestDebPackage: the package of `make deb` (PCAPPUSH_DEB) passes lintian
// without errors, installs with apt into a fresh Debian (pulling in
// libpcap0.8), creates the user pcappush and its folders with their modes
// without enabling any service, runs the demo's push from the installed
// tools as pcappush, and removes and purges as docs/operations.md says.
func TestDebPackage(t *testing.T) {
	deb := os.Getenv("PCAPPUSH_DEB")
	if deb == "" {
		t.Skip("PCAPPUSH_DEB not set: run make test-deb")
	}
	t.Run("lintian", func(t *testing.T) {
		lintian := testutil.Need(t, "lintian")
		// lintian takes a minute on a busy machine, more than testutil.Run allows
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, lintian, "--fail-on", "error", "--tag-display-limit", "0", deb).CombinedOutput()
		if err != nil {
			t.Errorf("lintian: %v\n%s", err, out)
		}
		t.Logf("lintian:\n%s", out)
	})
	r := newDebRoot(t)
	b, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.path("/tmp/pcappush.deb"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r.mustRun(t, "", "apt-get", "install", "-y", "-qq", "--no-install-recommends", "/tmp/pcappush.deb")
	if r.dir == "/" {
		t.Cleanup(func() { r.run(t, "", "dpkg", "--purge", "pcappush"); os.RemoveAll("/var/lib/pcappush/demo") })
	}
	r.mustRun(t, "", "dpkg-query", "-W", "libpcap0.8")

	checkInstalled(t, r)
	checkDemoPush(t, r)

	r.mustRun(t, "", "apt-get", "remove", "-y", "-qq", "pcappush")
	for _, gone := range []string{"/usr/bin/push_realtime", "/lib/systemd/system/push_realtime.service", "/usr/share/man/man5/push_realtime.lua.5.gz"} {
		if _, err := os.Lstat(r.path(gone)); err == nil {
			t.Errorf("%s left after remove", gone)
		}
	}
	for _, kept := range []string{"/etc/pcappush/push_realtime.lua", "/var/lib/pcappush/state", "/var/log/pcappush"} {
		if _, err := os.Lstat(r.path(kept)); err != nil {
			t.Errorf("remove took %s: %v; it keeps the configuration, state and logs", kept, err)
		}
	}
	r.mustRun(t, "", "dpkg", "--purge", "pcappush")
	for _, gone := range []string{"/etc/pcappush", "/var/lib/pcappush/state", "/var/lib/pcappush/capture", "/var/log/pcappush"} {
		if _, err := os.Lstat(r.path(gone)); err == nil {
			t.Errorf("%s left after purge", gone)
		}
	}
	if _, err := os.Lstat(r.path("/var/lib/pcappush/demo/push")); err != nil {
		t.Errorf("purge removed data the package did not make: %v", err)
	}
	if out := r.run(t, "", "getent", "passwd", "pcappush"); out.Code != 0 {
		t.Errorf("purge removed the user pcappush; it is kept (files elsewhere may be its)")
	}
	if res := r.run(t, "", "dpkg-query", "-W", "-f", "${db:Status-Abbrev}", "pcappush"); res.Code == 0 && strings.TrimSpace(string(res.Stdout)) != "pn" {
		t.Errorf("after purge, dpkg knows pcappush as %q", res.Stdout)
	}
}

// checkInstalled checks the installed files, the user and folders with
// their modes, the conffile, and that no service was enabled or started.
func checkInstalled(t *testing.T, r *debRoot) {
	t.Helper()
	passwd := r.mustRun(t, "", "getent", "passwd", "pcappush")
	if !regexp.MustCompile(`^pcappush:x:\d+:\d+:[^:]*:/var/lib/pcappush:/usr/sbin/nologin\n$`).MatchString(passwd) {
		t.Errorf("user pcappush: %q", passwd)
	}
	want := map[string]string{ // path: mode owner group
		"/var/lib/pcappush":                                 "drwxr-x--- pcappush pcappush",
		"/var/lib/pcappush/capture":                         "drwxr-s--- pcappush pcappush",
		"/var/lib/pcappush/state":                           "drwxr-x--- pcappush pcappush",
		"/var/log/pcappush":                                 "drwxr-x--- pcappush pcappush",
		"/etc/pcappush/push_realtime.lua":                   "-rw-r--r-- root root",
		"/lib/systemd/system/push_realtime.service":         "-rw-r--r-- root root",
		"/usr/lib/sysusers.d/pcappush.conf":                 "-rw-r--r-- root root",
		"/usr/lib/tmpfiles.d/pcappush.conf":                 "-rw-r--r-- root root",
		"/usr/share/man/man5/push_realtime.lua.5.gz":        "-rw-r--r-- root root",
		"/usr/share/pcappush/grafana-dashboard.json":        "-rw-r--r-- root root",
		"/usr/share/bash-completion/completions/stream_cat": "-rw-r--r-- root root",
	}
	for _, tool := range install.Tools {
		want["/usr/bin/"+tool] = "-rwxr-xr-x root root"
		want["/usr/share/man/man1/"+tool+".1.gz"] = "-rw-r--r-- root root"
	}
	for p, w := range want {
		if got := strings.TrimSpace(r.mustRun(t, "", "stat", "-c", "%A %U %G", p)); got != w {
			t.Errorf("%s: %s; want %s", p, got, w)
		}
	}
	if c := r.mustRun(t, "", "dpkg-query", "-W", "-f", "${Conffiles}", "pcappush"); !strings.Contains(c, "/etc/pcappush/push_realtime.lua ") {
		t.Errorf("conffiles: %q; want /etc/pcappush/push_realtime.lua", c)
	}
	err := filepath.WalkDir(r.path("/etc/systemd/system"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), "push_realtime") {
			t.Errorf("%s: the package enabled a service", p)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	// the completion script answers for every tool, from the installed tools
	for _, tool := range install.Tools {
		if _, err := os.Stat(r.path("/usr/share/bash-completion/completions/" + tool)); err != nil {
			t.Errorf("no bash completion for %s: %v", tool, err)
		}
	}
	words := r.mustRun(t, "", "bash", "-c", `. /usr/share/bash-completion/completions/pcap_split; COMP_WORDS=(pcap_split --split-t); COMP_CWORD=1; _pcappush_complete; echo "${COMPREPLY[*]}"`)
	if strings.TrimSpace(words) != "--split-time" {
		t.Errorf("bash completion of pcap_split --split-t: %q; want --split-time", words)
	}
}

// checkDemoPush runs scripts/demo.sh with the installed tools as the user
// pcappush, its output under /var/lib/pcappush/demo, and checks that the
// push of every packet holds the stored capture's packets, in splits only
// pcappush and its group can read.
func checkDemoPush(t *testing.T, r *debRoot) {
	t.Helper()
	demo, err := os.ReadFile(filepath.Join(testutil.Root(t), "scripts", "demo.sh"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(r.path("/tmp/demo.sh"), demo, 0o755); err != nil {
		t.Fatal(err)
	}
	out := r.mustRun(t, "pcappush", "bash", "/tmp/demo.sh", "/usr/bin", "/var/lib/pcappush/demo")
	t.Logf("the demo as pcappush:\n%s", out)
	store := r.path("/var/lib/pcappush/demo/store/capture1_20210521_0101")
	push := r.path("/var/lib/pcappush/demo/push")
	count := func(dir, glob string) (n int) {
		names, _ := filepath.Glob(filepath.Join(dir, glob))
		if len(names) == 0 {
			t.Fatalf("no %s in %s", glob, dir)
		}
		for _, f := range names {
			n += len(readRecs(t, f))
		}
		return n
	}
	if stored, pushed := count(store, "chunk_*"), count(push, "all_*.pcap"); stored != pushed || stored == 0 {
		t.Errorf("pushed %d packets of the %d stored", pushed, stored)
	}
	names, _ := filepath.Glob(filepath.Join(push, "*"))
	for _, f := range names {
		inside := "/" + strings.TrimPrefix(strings.TrimPrefix(f, r.dir), "/") // the path seen inside the root
		if got := strings.TrimSpace(r.mustRun(t, "", "stat", "-c", "%a %U", inside)); got != "640 pcappush" {
			t.Errorf("%s: mode and owner %s; want 640 pcappush", f, got)
		}
	}
}
