package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 200; i++ {
		ds = append(ds, time.Duration(201-i)*time.Millisecond) // unsorted on purpose
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{50, 100 * time.Millisecond},
		{99, 198 * time.Millisecond},
		{100, 200 * time.Millisecond},
		{0.1, 1 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := percentile(ds, tt.p); got != tt.want {
			t.Errorf("p%g = %v, want %v", tt.p, got, tt.want)
		}
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %v, want 0", got)
	}
}

func TestVerdict(t *testing.T) {
	ok := &report{commands: 2, ack: []time.Duration{time.Millisecond}, tip: []time.Duration{time.Millisecond},
		startup: 50 * time.Millisecond, peakRSS: 30 << 20}
	if err := ok.verdict(); err != nil {
		t.Errorf("verdict of a good run: %v", err)
	}
	lost := *ok
	lost.noAnswer = 1
	if err := lost.verdict(); err == nil {
		t.Error("a lost answer passed")
	}
	slow := *ok
	slow.startup = time.Second
	if err := slow.verdict(); err == nil {
		t.Error("a slow start-up passed")
	}
}
