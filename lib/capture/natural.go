package capture

import (
	"cmp"
	"strings"
)

// NaturalLess reports whether name a sorts before name b in natural order:
// runs of ASCII digits compare as numbers (x2 before x10, and x before x1,
// as tcpdump -C numbers its files), everything else byte by byte. Numbers
// that are equal but written with different leading zeros ("01" and "1")
// fall back to the shorter run first, so the order is total.
func NaturalLess(a, b string) bool { return NaturalCompare(a, b) < 0 }

// NaturalCompare returns -1, 0 or +1 as a sorts before, equal to or after b
// in natural order (see NaturalLess). It allocates nothing and handles digit
// runs of any length.
func NaturalCompare(a, b string) int {
	tie := 0 // first difference in leading zeros, used when all else is equal
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if !isDigit(ca) || !isDigit(cb) {
			if ca != cb {
				return cmp.Compare(ca, cb)
			}
			i++
			j++
			continue
		}
		ei, ej := digitsEnd(a, i), digitsEnd(b, j)
		if c := compareNumbers(a[i:ei], b[j:ej]); c != 0 {
			return c
		}
		if tie == 0 && ei-i != ej-j {
			tie = cmp.Compare(ei-i, ej-j)
		}
		i, j = ei, ej
	}
	switch {
	case len(a)-i != len(b)-j:
		return cmp.Compare(len(a)-i, len(b)-j)
	case tie != 0:
		return tie
	}
	return 0
}

// compareNumbers compares two runs of digits by value.
func compareNumbers(x, y string) int {
	x, y = trimZeros(x), trimZeros(y)
	if len(x) != len(y) {
		return cmp.Compare(len(x), len(y))
	}
	return strings.Compare(x, y) // as many digits: text order is number order
}

func trimZeros(s string) string {
	for len(s) > 1 && s[0] == '0' {
		s = s[1:]
	}
	return s
}

func digitsEnd(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
