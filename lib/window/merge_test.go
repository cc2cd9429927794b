package window

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// runs returns k sorted runs of about n times each, with many equal times
// within and across runs.
func runs(r *rand.Rand, k, n int) [][]int64 {
	out := make([][]int64, k)
	for i := range out {
		t := int64(r.IntN(100))
		m := r.IntN(2*n + 1)
		for j := 0; j < m; j++ {
			t += int64(r.IntN(3))
			out[i] = append(out[i], t)
		}
	}
	return out
}

// item is a merged element: its time and where it came from.
type item struct {
	time     int64
	src, idx int
}

// mergeLoser merges runs with a loserTree, as Read does.
func mergeLoser(rs [][]int64, out []item) []item {
	pos := make([]int, len(rs))
	time, done := make([]int64, len(rs)), make([]bool, len(rs))
	for i, r := range rs {
		if len(r) == 0 {
			done[i] = true
		} else {
			time[i] = r[0]
		}
	}
	lt := newLoserTree(time, done)
	for len(rs) > 0 {
		i := lt.winner()
		if done[i] {
			break
		}
		out = append(out, item{time[i], i, pos[i]})
		pos[i]++
		if pos[i] == len(rs[i]) {
			done[i] = true
		} else {
			time[i] = rs[i][pos[i]]
		}
		lt.fix()
	}
	return out
}

// TestLoserTreeMergesStably checks the merge against a stable sort, for
// 0 to 70 runs: equal times come out in run order, and each run in its
// own order.
func TestLoserTreeMergesStably(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for k := 0; k <= 70; k++ {
		for trial := 0; trial < 5; trial++ {
			rs := runs(r, k, 20)
			var want []item
			for i, run := range rs {
				for j, x := range run {
					want = append(want, item{x, i, j})
				}
			}
			slices.SortStableFunc(want, func(a, b item) int { return int(a.time - b.time) })
			got := mergeLoser(rs, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("k=%d: merge differs from a stable sort", k)
			}
		}
	}
}

// heapMerge is the same merge with container/heap, for the benchmark.
type heapMerge struct {
	rs   [][]int64
	pos  []int
	heap []int
}

func (h *heapMerge) Len() int { return len(h.heap) }
func (h *heapMerge) Less(a, b int) bool {
	x, y := h.heap[a], h.heap[b]
	if tx, ty := h.rs[x][h.pos[x]], h.rs[y][h.pos[y]]; tx != ty {
		return tx < ty
	}
	return x < y
}
func (h *heapMerge) Swap(a, b int) { h.heap[a], h.heap[b] = h.heap[b], h.heap[a] }
func (h *heapMerge) Push(x any)    { h.heap = append(h.heap, x.(int)) }
func (h *heapMerge) Pop() any {
	x := h.heap[len(h.heap)-1]
	h.heap = h.heap[:len(h.heap)-1]
	return x
}

func mergeHeap(rs [][]int64, out []item) []item {
	h := &heapMerge{rs: rs, pos: make([]int, len(rs))}
	for i, r := range rs {
		if len(r) > 0 {
			h.heap = append(h.heap, i)
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		i := h.heap[0]
		out = append(out, item{rs[i][h.pos[i]], i, h.pos[i]})
		h.pos[i]++
		if h.pos[i] == len(rs[i]) {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return out
}

// BenchmarkMerge compares the loser tree with container/heap on k
// interleaved runs; ns/op is per element merged.
func BenchmarkMerge(b *testing.B) {
	for _, k := range []int{3, 50, 500} {
		rs := runs(rand.New(rand.NewPCG(3, 4)), k, 200000/k)
		n := 0
		for _, r := range rs {
			n += len(r)
		}
		out := make([]item, 0, n)
		if !slices.Equal(mergeLoser(rs, nil), mergeHeap(rs, nil)) {
			b.Fatal("the two merges differ")
		}
		for _, m := range []struct {
			name string
			fn   func([][]int64, []item) []item
		}{{"loser", mergeLoser}, {"heap", mergeHeap}} {
			b.Run(fmt.Sprintf("%s/k=%d", m.name, k), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i += n {
					out = m.fn(rs, out[:0])
				}
			})
		}
	}
}
