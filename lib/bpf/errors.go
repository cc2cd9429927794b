package bpf

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// CompileError is an expression libpcap refused, with its words, or one
// refused before libpcap saw it (too long) or that libpcap could not
// compile within its limits.
type CompileError struct {
	Expr     string // the expression as given
	LinkType uint32 // the link type compiled for (LINKTYPE_* value)
	Msg      string // libpcap's message, e.g. "can't parse filter expression: syntax error"
}

// excerptLen is the most of an expression a message quotes.
const excerptLen = 72

func (e *CompileError) Error() string {
	if len(e.Expr) <= excerptLen {
		return fmt.Sprintf("bad filter %q: %s", e.Expr, e.Msg)
	}
	cut := e.Expr[:excerptLen]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return fmt.Sprintf("bad filter %q... (%d bytes): %s", cut, len(e.Expr), e.Msg)
}

// Hint is the advice a command prints after the message: the filter
// syntax's manual rather than the command's --help.
func (e *CompileError) Hint() string { return "man 7 pcap-filter (the filter syntax)" }

// Position returns where in Expr libpcap stopped, as a byte offset and a
// length, when its message names the word it refused (a quoted name or an
// out-of-range number); ok is false otherwise (libpcap does not say where
// a syntax error lies).
func (e *CompileError) Position() (off, n int, ok bool) {
	for _, re := range refusedWord {
		if m := re.FindStringSubmatch(e.Msg); m != nil {
			if i := findWord(e.Expr, m[1]); i >= 0 {
				return i, len(m[1]), true
			}
		}
	}
	return 0, 0, false
}

// refusedWord finds the word a libpcap message refuses: 'name' quoted, or
// a number it says is out of range.
var refusedWord = []*regexp.Regexp{
	regexp.MustCompile(`'([^']+)'`),
	regexp.MustCompile(`\b(\d+) greater than maximum`),
	regexp.MustCompile(`number (\d+) >`),
}

// findWord returns the offset of the first occurrence of w in s that is a
// whole word, else of the first occurrence, else -1.
func findWord(s, w string) int {
	first := -1
	for from := 0; from <= len(s)-len(w); {
		i := strings.Index(s[from:], w)
		if i < 0 {
			break
		}
		i += from
		if first < 0 {
			first = i
		}
		end := i + len(w)
		if (i == 0 || !wordByte(s[i-1])) && (end == len(s) || !wordByte(s[end])) {
			return i
		}
		from = i + 1
	}
	return first
}

func wordByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Detail shows the place libpcap stopped, when its message tells it: the
// expression (the part around that place when it is long) and a line of
// carets under the word, both indented by two spaces. It is "" when the
// place is not known.
func (e *CompileError) Detail() string {
	off, n, ok := e.Position()
	if !ok {
		return ""
	}
	from, to := 0, len(e.Expr)
	if to-from > excerptLen {
		from = max(0, off-excerptLen/2)
		to = min(len(e.Expr), from+excerptLen)
		from = max(0, min(from, to-excerptLen))
	}
	for from > 0 && !utf8.RuneStart(e.Expr[from]) {
		from--
	}
	for to < len(e.Expr) && !utf8.RuneStart(e.Expr[to]) {
		to++
	}
	pre, post := "", ""
	if from > 0 {
		pre = "..."
	}
	if to < len(e.Expr) {
		post = "..."
	}
	line := pre + printable(e.Expr[from:to]) + post
	col := len(pre) + utf8.RuneCountInString(e.Expr[from:off])
	width := max(1, utf8.RuneCountInString(e.Expr[off:min(off+n, to)]))
	return "  " + line + "\n  " + strings.Repeat(" ", col) + strings.Repeat("^", width)
}

// printable replaces control characters (a filter read from a file holds
// line breaks and tabs) by spaces, one for one, so that carets line up.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
