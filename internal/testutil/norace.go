//go:build !race

package testutil

// Race is true when the tests are built with the race detector, whose
// runtime takes far more memory and time: tests of memory limits skip.
const Race = false
