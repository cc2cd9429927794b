package filter

import (
	"bytes"
	"fmt"
	"os"
	"strings"
)

// JoinArgs makes one expression of command-line words, as tcpdump does:
// joined by single spaces.
func JoinArgs(args []string) string { return strings.Join(args, " ") }

// ReadExprFile reads an expression file as tcpdump -F does: the whole file,
// up to a NUL byte if there is one, with every '#' and the rest of its line
// turned into spaces (tcpdump's comments).
func ReadExprFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read filter file: %w", err)
	}
	return ParseExprFile(b), nil
}

// ParseExprFile is ReadExprFile for the file's contents.
func ParseExprFile(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	out := []byte(string(b))
	for i := 0; i < len(out); i++ {
		if out[i] == '#' {
			for ; i < len(out) && out[i] != '\n'; i++ {
				out[i] = ' '
			}
		}
	}
	return string(out)
}
