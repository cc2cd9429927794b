package window

// loserTree picks, among k sources, the one whose head packet comes first:
// the smallest time, of equal times the lowest source index, a source
// with nothing left last. Each internal node keeps the loser of the match
// played there and node 0 the overall winner, so replacing the winner's
// head replays one path from its leaf to the root: log2(k) comparisons.
type loserTree struct {
	tree []int   // tree[0]: the winner; tree[1:]: losers of internal nodes
	time []int64 // each source's head time
	done []bool  // sources with nothing left
}

// newLoserTree builds the tree over k sources, whose heads are set by
// time and done.
func newLoserTree(time []int64, done []bool) *loserTree {
	k := len(time)
	t := &loserTree{tree: make([]int, max(k, 1)), time: time, done: done}
	if k == 0 {
		return t
	}
	// winners of the subtrees of internal nodes 1..k-1 (leaves are k..2k-1)
	win := make([]int, k)
	at := func(n int) int {
		if n >= k {
			return n - k
		}
		return win[n]
	}
	for n := k - 1; n >= 1; n-- {
		a, b := at(2*n), at(2*n+1)
		if t.less(b, a) {
			a, b = b, a
		}
		win[n], t.tree[n] = a, b
	}
	t.tree[0] = at(1)
	return t
}

// less reports whether source a's head comes before source b's.
func (t *loserTree) less(a, b int) bool {
	if t.done[a] != t.done[b] {
		return t.done[b]
	}
	if t.time[a] != t.time[b] {
		return t.time[a] < t.time[b]
	}
	return a < b
}

// winner returns the source whose head comes first.
func (t *loserTree) winner() int { return t.tree[0] }

// fix replays the matches of the winner, whose head has changed.
func (t *loserTree) fix() {
	w := t.tree[0]
	for n := (w + len(t.time)) / 2; n > 0; n /= 2 {
		if t.less(t.tree[n], w) {
			t.tree[n], w = w, t.tree[n]
		}
	}
	t.tree[0] = w
}
