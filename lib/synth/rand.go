package synth

import (
	"encoding/binary"
	"math/bits"
)

// rng is wyrand: a tiny, fast, seedable generator whose sequence is fixed by
// this file, so that output stays byte-identical across Go releases (the
// methods of math/rand/v2 promise no such thing).
type rng struct{ s uint64 }

func newRNG(seed int64, stream uint64) rng {
	r := rng{s: uint64(seed) ^ stream*0x9e3779b97f4a7c15}
	r.next()
	return r
}

// next returns 64 random bits.
func (r *rng) next() uint64 {
	r.s += 0xa0761d6478bd642f
	hi, lo := bits.Mul64(r.s, r.s^0xe7037ed1a0b428db)
	return hi ^ lo
}

// intn returns a number in [0, n) for n > 0 (Lemire's multiply-high, with
// a bias below 2^-50 for the small n used here).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// fill overwrites b with random bytes.
func (r *rng) fill(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, r.next())
		b = b[8:]
	}
	v := r.next()
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
}

// pick returns an index into a cumulative weight table whose last entry
// is the total weight.
func (r *rng) pick(cum []float64) int {
	x := r.float() * cum[len(cum)-1]
	for i, c := range cum {
		if x < c {
			return i
		}
	}
	return len(cum) - 1
}
