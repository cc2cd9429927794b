package output

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"syscall"
)

// secretWords are parts of rclone option names whose values are secrets:
// pass, password, secret_access_key, session_token, client_secret,
// service_account_credentials, sas_url, key, key_file, token, and every
// HTTP header (headers, upload_headers, ...: "Authorization,Bearer ..."),
// whatever it is called.
var secretWords = []string{"pass", "secret", "token", "key", "auth", "credential", "sas", "cookie", "session", "signature", "bearer", "header"}

// userinfo matches the user information of a URL (scheme://user:pass@),
// a secret in any option's value (url='http://bob:PASS@host/').
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\s'"]*@`)

// isSecret reports whether the value of the rclone option named name is
// to be kept out of messages.
func isSecret(name string) bool {
	n := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "-", "_"))
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// connParams splits the parameters of a connection string
// (":sftp,host=h,pass=x" or "name,opt=v") at commas outside quotes; the
// first element is the remote or backend name.
func connParams(cfg string) []string {
	var out []string
	var quote rune
	start := 0
	for i, c := range cfg {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == ',':
			out = append(out, cfg[start:i])
			start = i + 1
		}
	}
	return append(out, cfg[start:])
}

// SecretOptions returns the names of the options in r's connection string
// whose values are secrets (passwords, keys, tokens, headers, a URL with a
// user), in order.
func (r Remote) SecretOptions() []string {
	var names []string
	for _, p := range connParams(r.Config)[1:] {
		name, value, _ := strings.Cut(p, "=")
		if isSecret(name) || userinfo.MatchString(value) {
			names = append(names, strings.TrimSpace(name))
		}
	}
	if len(names) == 0 && userinfo.MatchString(r.Prefix) {
		names = append(names, "the user of a URL") // unquoted, rclone reads it into the path
	}
	return names
}

// redactedConfig is r.Config with every secret value replaced by "***",
// and the user information of any URL by "***@".
func (r Remote) redactedConfig() string {
	ps := connParams(r.Config)
	for i, p := range ps[1:] {
		if name, _, ok := strings.Cut(p, "="); ok && isSecret(name) {
			ps[i+1] = name + "=***"
		} else {
			ps[i+1] = userinfo.ReplaceAllString(p, "${1}***@")
		}
	}
	return strings.Join(ps, ",")
}

// Redact returns s with the secret values of r's connection string
// ("pass=...", "secret_access_key=...") replaced by "***", for messages:
// split names and errors contain the prefix as given.
func (r Remote) Redact(s string) string {
	if r.Config == "" {
		return s
	}
	s = userinfo.ReplaceAllString(s, "${1}***@")
	red := r.redactedConfig()
	if red == r.Config {
		return s
	}
	return strings.ReplaceAll(s, userinfo.ReplaceAllString(r.Config, "${1}***@"), red)
}

// ConfigPermWarning returns a warning when the rclone config file at path,
// which holds credentials, can be read by others, or by a group other than
// gid (the service's own group: root:pcappush 0640 is the setup to use),
// or can be changed by anyone but its owner; "" otherwise, and when the
// file cannot be read.
func ConfigPermWarning(path string, gid int) string {
	st, err := os.Stat(path)
	if err != nil {
		return ""
	}
	perm := st.Mode().Perm()
	group := -1
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		group = int(sys.Gid)
	}
	var who []string
	if perm&0o004 != 0 {
		who = append(who, "readable by everyone")
	}
	if perm&0o040 != 0 && group != gid {
		who = append(who, fmt.Sprintf("readable by group %d", group))
	}
	if perm&0o022 != 0 {
		who = append(who, "writable by group or others")
	}
	if len(who) == 0 {
		return ""
	}
	return fmt.Sprintf("rclone config %s holds credentials and is %s (mode %v): chown root:GROUP and chmod 0640, GROUP being the service's group, or chmod 0600 when the service's user owns it", path, strings.Join(who, " and "), fs.FileMode(perm))
}
