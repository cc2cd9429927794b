package capture

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// ErrBadTime is wrapped by ParseTime's errors.
var ErrBadTime = errors.New("not a time (examples: 1621849860123456789, 1621849860.5, 2021-05-24T09:51:00Z)")

// maxSecDigits is the most digits an integer may have to be read as
// seconds rather than nanoseconds: ten digits reach the year 2286.
const maxSecDigits = 10

// maxExp bounds exponents, so that "1e999999999" costs nothing to reject.
const maxExp = 40

// ParseTime reads a point in time and returns nanoseconds since the epoch:
//
//   - an RFC 3339 time, with any fraction: 2021-05-24T09:51:00.5Z
//   - seconds since the epoch with a decimal point: 1621849860.123456789
//   - an integer of up to ten digits, seconds: 1621849860
//   - a longer integer, or any number in scientific notation, nanoseconds:
//     1621849860123456789, 1.62184986e18
//
// Times before 1970 and fractions finer than a nanosecond are errors.
func ParseTime(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, ErrBadTime
	}
	if strings.ContainsAny(t, "T:") {
		return parseRFC3339(t)
	}
	if strings.ContainsAny(t, "eE") {
		return parseRat(t, 1)
	}
	if strings.Contains(t, ".") || len(t) <= maxSecDigits {
		return parseRat(t, 1e9)
	}
	return parseRat(t, 1)
}

func parseRFC3339(s string) (int64, error) {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrBadTime, err)
	}
	if tm.Before(time.Unix(0, 0)) || tm.After(time.Unix(0, math.MaxInt64)) {
		return 0, fmt.Errorf("%s is outside 1970 to 2262: %w", s, ErrBadTime)
	}
	return tm.UnixNano(), nil
}

// parseRat reads a decimal number exactly and multiplies it by mul.
func parseRat(s string, mul int64) (int64, error) {
	for _, c := range s {
		if !strings.ContainsRune("0123456789.eE+-", c) {
			return 0, ErrBadTime
		}
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if e, err := strconv.Atoi(s[i+1:]); err != nil || e > maxExp || e < -maxExp {
			return 0, ErrBadTime
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, ErrBadTime
	}
	r.Mul(r, new(big.Rat).SetInt64(mul))
	switch {
	case r.Sign() < 0:
		return 0, fmt.Errorf("%s is before 1970: %w", s, ErrBadTime)
	case !r.IsInt():
		return 0, fmt.Errorf("%s is finer than a nanosecond: %w", s, ErrBadTime)
	case !r.Num().IsInt64():
		return 0, fmt.Errorf("%s is after 2262: %w", s, ErrBadTime)
	}
	return r.Num().Int64(), nil
}

// FormatTime writes ns since the epoch as UTC RFC 3339 with milliseconds,
// the form --list and warnings use.
func FormatTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
