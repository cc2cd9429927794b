package config

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// The placeholders a target's Path (and pcap_split's -o) may hold.
const (
	PlaceholderHost    = "{host}"    // the machine: Config.Host, --host, else the short host name
	PlaceholderDesc    = "{desc}"    // the target's Desc
	PlaceholderCapture = "{capture}" // the capture pushed: --offline, --capture, else Config.Capture
)

// PathValues are the values of Path's placeholders; "" means the value is
// not known where the path is expanded.
type PathValues struct {
	Host, Desc, Capture string
}

// unknownHints say why a placeholder has no value.
var unknownHints = map[string]string{
	PlaceholderHost: "give the host name (--host)",
	PlaceholderDesc: "it is a push_realtime target's Desc",
	PlaceholderCapture: "give the capture (Config.Capture, --capture or --offline): Path is expanded once, at start, " +
		"and realtime mode without one moves from capture to capture",
}

// ExpandPath replaces every {host}, {desc} and {capture} in path with its
// value. Any other {name}, or a placeholder without a value, is an error;
// a "{" without a "}" after it is kept as it is.
func ExpandPath(path string, v PathValues) (string, error) {
	values := map[string]string{PlaceholderHost: v.Host, PlaceholderDesc: v.Desc, PlaceholderCapture: v.Capture}
	var b strings.Builder
	rest := path
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			break
		}
		ph := rest[open : open+end+1]
		val, known := values[ph]
		switch {
		case !known:
			return "", fmt.Errorf("%q: unknown placeholder %s (known: %s, %s, %s)", path, ph, PlaceholderHost, PlaceholderDesc, PlaceholderCapture)
		case val == "":
			return "", fmt.Errorf("%q: %s has no value here: %s", path, ph, unknownHints[ph])
		}
		b.WriteString(rest[:open] + val)
		rest = rest[open+end+1:]
	}
	b.WriteString(rest)
	return b.String(), nil
}

// HasPlaceholder reports whether path holds the placeholder ph.
func HasPlaceholder(path, ph string) bool { return strings.Contains(path, ph) }

// CheckHost refuses a host name that is not a plain file-name component:
// it becomes a folder or a name in every path that holds {host}.
func CheckHost(host string) error {
	if !descRE.MatchString(host) || host == "." || host == ".." {
		return fmt.Errorf("host name %q is not a plain file-name component: use only letters, digits, '.', '_' and '-' (at most 64)", host)
	}
	return nil
}

// ShortHostname returns the machine's host name up to its first dot,
// checked by CheckHost.
func ShortHostname() (string, error) {
	h, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("host name: %w", err)
	}
	h, _, _ = strings.Cut(h, ".")
	if err := CheckHost(h); err != nil {
		return "", err
	}
	return h, nil
}

// expandPaths expands the placeholders of every target's Path, once:
// what follows (validation, the pipelines, the logs, status) sees only
// the expanded path. The host is looked up only when a Path needs it.
func (c *Config) expandPaths(chk Checks) error {
	if c.Host != "" {
		if err := CheckHost(c.Host); err != nil {
			return &Error{File: c.File, Field: "Config.Host", Err: err}
		}
	}
	vals := PathValues{Capture: firstSet(chk.Capture, c.Capture)}
	for i := range c.Targets {
		t := &c.Targets[i]
		if HasPlaceholder(t.Path, PlaceholderCapture) {
			// The capture becomes a folder or a name in the path; where
			// no Path holds it, the capture's name is the command's to
			// check.
			if err := checkCaptureValue(vals.Capture); err != nil {
				return &Error{File: c.File, Target: targetName(t, i), Field: "Path", Err: fmt.Errorf("{capture} %q: %w", vals.Capture, err)}
			}
		}
		if HasPlaceholder(t.Path, PlaceholderHost) && vals.Host == "" {
			h, field, err := c.host(chk)
			if err != nil {
				return &Error{File: c.File, Target: targetName(t, i), Field: "Path", Err: fmt.Errorf("%s: %w", field, err)}
			}
			vals.Host = h
		}
		vals.Desc = t.Desc
		p, err := ExpandPath(t.Path, vals)
		if err != nil {
			return &Error{File: c.File, Target: targetName(t, i), Field: "Path", Err: err}
		}
		t.Path = p
	}
	return nil
}

// host returns {host}'s value and where it came from: --host, else
// Config.Host, else the machine's short host name.
func (c *Config) host(chk Checks) (string, string, error) {
	for _, h := range []struct{ v, field string }{{chk.Host, "--host"}, {c.Host, "Config.Host"}} {
		if h.v != "" {
			return h.v, h.field, CheckHost(h.v)
		}
	}
	h, err := ShortHostname()
	if err != nil {
		err = fmt.Errorf("%w: set Config.Host or --host", err)
	}
	return h, "{host}", err
}

// checkCaptureValue refuses a capture name that is not a plain name.
func checkCaptureValue(name string) error {
	if name == "." || name == ".." || strings.ContainsAny(name, "/\x00\n\r") {
		return errors.New("give the name of a capture in the store, not a path")
	}
	return nil
}

func firstSet(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
