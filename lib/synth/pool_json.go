package synth

// appendJSON appends one order document, the typical API body.
func appendJSON(b []byte, r *rng) []byte {
	b = append(b, `{"id":`...)
	b = appendNum(b, r.between(100000, 999999))
	b = append(b, `,"type":"order","status":"`...)
	b = append(b, oneOf(r, statuses)...)
	first, last := oneOf(r, firsts), oneOf(r, lasts)
	b = append(b, `","customer":{"name":"`...)
	b = append(b, first+" "+last...)
	b = append(b, `","email":"`...)
	b = append(b, first+"."+last...)
	b = append(b, `@example.com"},"items":[`...)
	for i := range r.between(1, 4) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendItem(b, r)
	}
	b = append(b, `],"created_at":"`...)
	b = appendStamp(b, r)
	b = append(b, `","tags":["`...)
	b = append(b, oneOf(r, words)...)
	b = append(b, `","`...)
	b = append(b, oneOf(r, words)...)
	return append(b, "\"]}\n"...)
}

func appendItem(b []byte, r *rng) []byte {
	b = append(b, `{"sku":"SKU-`...)
	b = appendNum(b, r.between(10000, 99999))
	b = append(b, `","name":"`...)
	b = append(b, oneOf(r, words)...)
	b = append(b, ' ')
	b = append(b, oneOf(r, words)...)
	b = append(b, `","qty":`...)
	b = appendNum(b, r.between(1, 9))
	b = append(b, `,"price":`...)
	b = appendNum(b, r.between(1, 499))
	b = append(b, '.')
	b = appendNum(b, r.between(10, 99))
	return append(b, '}')
}

// appendBlock appends one 4 KiB block of a backup stream: a numbered
// header, then zeros, a repeated short pattern or fixed-width records.
func appendBlock(b []byte, r *rng, n int) []byte {
	const size = 4096
	start := len(b)
	b = append(b, "BLK\x00"...)
	b = append(b, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	switch r.intn(3) {
	case 0:
		for len(b)-start < size {
			b = append(b, 0)
		}
	case 1:
		pat := [8]byte{}
		r.fill(pat[:])
		for len(b)-start < size {
			b = append(b, pat[:]...)
		}
	default:
		for len(b)-start < size {
			b = append(b, "00000000"...)
			b = appendNum(b, r.between(10000, 99999))
			b = append(b, ",ACTIVE    ,2021-05-24,0000000"...)
			b = appendNum(b, r.between(100, 999))
			b = append(b, ".00\n"...)
		}
	}
	return b[:start+size]
}
