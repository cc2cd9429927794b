package units

import (
	"errors"
	"math"
	"math/big"
	"strings"
)

// ParseCount parses a positive whole number written as an integer or in
// scientific notation ("60e9", "1.5e9", "1000000000") without loss of
// precision, as the reference system's --split-time and --split-byte take
// them. It also accepts the binary and decimal size units k, M, G, T (and
// KiB, MiB, GiB, TiB; case-insensitive, optional B) when units is set.
func ParseCount(s string, units bool) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	if units {
		t, mult = splitUnit(t)
	}
	r, ok := new(big.Rat).SetString(t)
	if !ok || t == "" {
		return 0, errors.New("not a number (examples: 60e9, 1000000000, 1.5e9)")
	}
	r.Mul(r, new(big.Rat).SetInt64(mult))
	if !r.IsInt() {
		return 0, errors.New("not a whole number")
	}
	n := r.Num()
	if n.Sign() <= 0 {
		return 0, errors.New("must be greater than zero")
	}
	if !n.IsInt64() || n.Int64() > math.MaxInt64/2 {
		return 0, errors.New("too large")
	}
	return n.Int64(), nil
}

var unitTable = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
	{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"t", 1e12},
	{"b", 1},
}

func splitUnit(s string) (string, int64) {
	l := strings.ToLower(s)
	for _, u := range unitTable {
		if strings.HasSuffix(l, u.suffix) {
			return strings.TrimSpace(s[:len(s)-len(u.suffix)]), u.mult
		}
	}
	return s, 1
}
