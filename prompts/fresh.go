package prompts

import "hash/fnv"

// Fresh returns the tip to show userID when they ask without words: one of
// the tips they have been shown the fewest times, so that the whole library
// goes by before any tip repeats. times reports how often the user saw a
// tip. Among equally fresh tips the order is a shuffle fixed per user, so
// two colleagues do not get the same sequence. Tips for people not yet
// managing (AudienceAspiring) are left out: nobody asked for them.
func (l *Library) Fresh(userID string, times func(tipID string) int) Answer {
	best := -1
	var bestTimes int
	var bestKey uint64
	for i, t := range l.managers {
		n := times(t.ID)
		k := shuffleKey(userID, t.ID)
		if best < 0 || n < bestTimes || (n == bestTimes && k < bestKey) {
			best, bestTimes, bestKey = i, n, k
		}
	}
	tip := l.managers[best]
	topic, _ := l.Topic(tip.Topic)
	return Answer{Tip: tip, Topic: topic, Matched: true}
}

func shuffleKey(userID, tipID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(tipID))
	return h.Sum64()
}
