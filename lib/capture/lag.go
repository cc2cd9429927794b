package capture

import "time"

// Idle ticks: how often, and the window over which recorder delays count.
const (
	// DefaultTickLag is the smallest lag of idle ticks behind the clock.
	DefaultTickLag = 2 * time.Second
	// TickEvery is how often an idle tick is emitted while nothing arrives.
	TickEvery = time.Second
	// delaySlot and delaySlots make the delay window: five minutes in
	// ten-second slots.
	delaySlot  = int64(10 * time.Second)
	delaySlots = 30
)

// delayWindow keeps the largest delay seen between a packet's time and the
// moment it was read, over the last few minutes.
type delayWindow struct {
	worst [delaySlots]int64
	epoch [delaySlots]int64
}

// add notes a delay seen at now (both ns).
func (d *delayWindow) add(now, delay int64) {
	e := now / delaySlot
	i := int(e % delaySlots)
	if d.epoch[i] != e {
		d.epoch[i], d.worst[i] = e, delay
		return
	}
	d.worst[i] = max(d.worst[i], delay)
}

// max returns the largest delay seen within the window before now.
func (d *delayWindow) max(now int64) int64 {
	e := now / delaySlot
	var m int64
	for i := range d.worst {
		if d.epoch[i] > e-delaySlots && d.epoch[i] <= e {
			m = max(m, d.worst[i])
		}
	}
	return m
}
