package output

import (
	"strings"
)

// secretWords are parts of rclone option names whose values are secrets:
// pass, password, secret_access_key, session_token, client_secret,
// service_account_credentials, sas_url, key, key_file, token, ...
var secretWords = []string{"pass", "secret", "token", "key", "auth", "credential", "sas", "cookie", "session", "signature", "bearer"}

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
// whose values are secrets (passwords, keys, tokens), in order.
func (r Remote) SecretOptions() []string {
	var names []string
	for _, p := range connParams(r.Config)[1:] {
		name, _, _ := strings.Cut(p, "=")
		if isSecret(name) {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names
}

// redactedConfig is r.Config with every secret value replaced by "***".
func (r Remote) redactedConfig() string {
	ps := connParams(r.Config)
	for i, p := range ps[1:] {
		if name, _, ok := strings.Cut(p, "="); ok && isSecret(name) {
			ps[i+1] = name + "=***"
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
	red := r.redactedConfig()
	if red == r.Config {
		return s
	}
	return strings.ReplaceAll(s, r.Config, red)
}
