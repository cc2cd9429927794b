package quote

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable reports whether every character of s prints: valid UTF-8
// without control characters (line breaks, tabs, terminal escapes) or
// other characters unicode does not print.
func Printable(s string) bool {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !unicode.IsPrint(r) && r != ' ' {
			return false
		}
		i += n
	}
	return true
}

// Name returns a name from outside (a folder or file name) for a message,
// a listing or a log line: as it is when every character prints, else
// Go-quoted, so that a line break cannot forge a line and a terminal
// escape cannot reach a terminal.
func Name(s string) string {
	if Printable(s) {
		return s
	}
	return strconv.Quote(s)
}

// OneLine returns text for a log line or a table cell: characters that do
// not print are written as Go escapes (\n, \x1b, \u2028, and \xff for a
// byte that is not UTF-8), the rest as it is.
func OneLine(s string) string {
	if Printable(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsPrint(r) || r == ' ':
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}
