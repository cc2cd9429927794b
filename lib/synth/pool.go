package synth

import (
	"strconv"
	"sync"
)

// Payload pools are built once per process from a fixed seed, so they are
// the same for every Generator and cost nothing per packet: text-like
// payloads are copied from the text pool at a random offset, repetitive ones
// from the bulk pool.
const (
	textPoolSize = 2 << 20
	bulkPoolSize = 256 << 10
	poolSeed     = 0x5eed
)

var pools struct {
	once sync.Once
	text []byte
	bulk []byte
}

// textPool returns the shared text pool.
func textPool() []byte {
	pools.once.Do(buildPools)
	return pools.text
}

// bulkPool returns the shared pool of repetitive bytes.
func bulkPool() []byte {
	pools.once.Do(buildPools)
	return pools.bulk
}

func buildPools() {
	r := newRNG(poolSeed, 1)
	t := make([]byte, 0, textPoolSize+4096)
	for len(t) < textPoolSize {
		switch r.intn(5) {
		case 0, 1:
			t = appendAccess(t, &r)
		case 2:
			t = appendLog(t, &r)
		default:
			t = appendJSON(t, &r)
		}
	}
	pools.text = t[:textPoolSize]
	b := make([]byte, 0, bulkPoolSize+4096)
	for blk := 0; len(b) < bulkPoolSize; blk++ {
		b = appendBlock(b, &r, blk)
	}
	pools.bulk = b[:bulkPoolSize]
}

var (
	words = []string{
		"order", "invoice", "customer", "shipment", "widget", "gadget",
		"account", "session", "report", "payment", "refund", "product",
		"alpha", "bravo", "delta", "echo", "foxtrot", "kilo", "lima",
		"north", "south", "green", "blue", "red", "large", "small",
	}
	firsts   = []string{"Anna", "Ben", "Chloe", "David", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas"}
	lasts    = []string{"Smith", "Garcia", "Muller", "Rossi", "Kim", "Novak", "Silva", "Dubois", "Tanaka", "Olsen"}
	statuses = []string{"pending", "paid", "shipped", "delivered", "cancelled"}
	paths    = []string{"orders", "customers", "products", "invoices", "search", "session"}
	agents   = []string{
		"Mozilla/5.0 (X11; Linux x86_64; rv:89.0) Gecko/20100101 Firefox/89.0",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/90.0.4430.212 Safari/537.36",
		"curl/7.74.0", "okhttp/4.9.1", "python-requests/2.25.1",
	}
	levels = []string{"INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"}
)

func oneOf(r *rng, s []string) string { return s[r.intn(len(s))] }

func appendHex(b []byte, r *rng, n int) []byte {
	const digits = "0123456789abcdef"
	for range n {
		b = append(b, digits[r.intn(16)])
	}
	return b
}

func appendNum(b []byte, n int) []byte { return strconv.AppendInt(b, int64(n), 10) }

// appendStamp appends an RFC 3339 time on 2021-05-24 with milliseconds.
func appendStamp(b []byte, r *rng) []byte {
	b = append(b, "2021-05-24T"...)
	for i, n := range [3]int{9 + r.intn(2), r.intn(60), r.intn(60)} {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, byte('0'+n/10), byte('0'+n%10))
	}
	b = append(b, '.')
	b = append(b, strconv.Itoa(100+r.intn(900))...)
	return append(b, 'Z')
}

// appendAccess appends a JSON access-log event of an HTTP API. There is
// deliberately no "HTTP/1.1" anywhere in the pool: tshark's HTTP heuristic
// claims any TCP segment with such a line and then flags the rest of the
// stream.
func appendAccess(b []byte, r *rng) []byte {
	b = append(b, `{"@timestamp":"`...)
	b = appendStamp(b, r)
	b = append(b, `","client":"192.168.1.`...)
	b = appendNum(b, r.between(2, 254))
	b = append(b, `","method":"GET","host":"api.example.com","path":"/api/v1/`...)
	b = append(b, oneOf(r, paths)...)
	b = append(b, '/')
	b = appendNum(b, r.between(1000, 99999))
	b = append(b, `?page=`...)
	b = appendNum(b, r.between(1, 40))
	b = append(b, `&limit=50","status":200,"bytes":`...)
	b = appendNum(b, r.between(200, 9000))
	b = append(b, `,"user_agent":"`...)
	b = append(b, oneOf(r, agents)...)
	b = append(b, `","content_type":"application/json; charset=utf-8","request_id":"`...)
	b = appendHex(b, r, 32)
	return append(b, "\"}\n"...)
}

func appendLog(b []byte, r *rng) []byte {
	b = appendStamp(b, r)
	b = append(b, ' ')
	b = append(b, oneOf(r, levels)...)
	b = append(b, " [worker-"...)
	b = appendNum(b, r.intn(16))
	b = append(b, "] handled "...)
	b = append(b, oneOf(r, paths)...)
	b = append(b, " request id="...)
	b = appendHex(b, r, 12)
	b = append(b, " status=200 duration="...)
	b = appendNum(b, r.between(1, 900))
	return append(b, "ms\n"...)
}
