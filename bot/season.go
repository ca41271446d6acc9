package bot

import (
	"time"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// A simulated season: the programme's real selection (rotation.go) run
// over weeks of Monday, Wednesday and Friday nudges, each answered as the
// caller says. TestSeasonWithoutRepeat checks the rule over it, and
// `leadbot season` prints it as docs/season.md.

// SeasonAnswer is how a simulated manager answers a nudge.
type SeasonAnswer struct {
	Outcome string // storage.OutcomeDone, OutcomeNotYet, OutcomeSkipped, or "" (ignored)
	Replied bool   // they wrote a reply too
}

// SeasonNudge is one nudge of a simulated season.
type SeasonNudge struct {
	Week   int // 1 for the first week
	At     time.Time
	Nudge  prompts.Nudge
	Phase  string // the programme's phase then; "" after day 90
	Reask  bool   // asked again after "Not yet"
	Repeat bool   // sent before (re-asks aside)
	Answer SeasonAnswer
}

// SimulateSeason runs the selection for the manager of p over weeks,
// starting the Monday of start's week at 09:30 UTC; answer says how the
// i-th nudge (re-asks included) is answered. A nudge answered "Not yet" is
// asked again two working days later, as the scheduler does, and that
// re-ask is answered too.
func SimulateSeason(lib *prompts.Library, p storage.Profile, start time.Time, weeks int, answer func(i int, n prompts.Nudge) SeasonAnswer) []SeasonNudge {
	monday := calendar.WeekOf(start, time.UTC).Start(time.UTC).Add(9*time.Hour + 30*time.Minute)
	var history []storage.Delivery
	var out []SeasonNudge
	sent := map[string]bool{}
	var reasks []storage.Delivery // pending, in time order
	add := func(d storage.Delivery, n prompts.Nudge, week int, phase string) {
		a := answer(len(out), n)
		d.ID = int64(len(history) + 1)
		d.UserID, d.State, d.SentAt = p.UserID, storage.StateSent, d.ClaimedAt
		d.Outcome, d.OutcomeAt = a.Outcome, d.ClaimedAt.Add(time.Hour)
		if a.Outcome == "" && a.Replied {
			d.Outcome = storage.OutcomeReplied
		}
		if a.Replied {
			d.Replies = 1
		}
		history = append(history, d)
		reask := d.Source == storage.SourceReask
		out = append(out, SeasonNudge{Week: week, At: d.ClaimedAt, Nudge: n, Phase: phase, Reask: reask,
			Repeat: !reask && sent[n.ID], Answer: a})
		if !reask {
			sent[n.ID] = true
		}
		if a.Outcome == storage.OutcomeNotYet && !reask {
			reasks = append(reasks, storage.Delivery{NudgeID: n.ID, Kind: n.Kind, Source: storage.SourceReask,
				ClaimedAt: calendar.AddWorkingDays(d.ClaimedAt, 2, time.UTC).Add(2 * time.Hour)})
		}
	}
	for w := range weeks {
		for _, day := range []int{0, 2, 4} {
			at := monday.AddDate(0, 0, 7*w+day)
			for len(reasks) > 0 && !reasks[0].ClaimedAt.After(at) {
				r := reasks[0]
				reasks = reasks[1:]
				n, _ := lib.Nudge(r.NudgeID)
				add(r, n, int(r.ClaimedAt.Sub(monday)/(7*24*time.Hour))+1, prompts.PhaseOn(programmeDay(withFirst(p, history), r.ClaimedAt)))
			}
			q := withFirst(p, history)
			if q.FirstNudge.IsZero() {
				q.FirstNudge = at
			}
			n, _ := nextNudge(lib, q, history, at)
			add(storage.Delivery{NudgeID: n.ID, Kind: n.Kind, Source: storage.SourceSchedule, ClaimedAt: at},
				n, w+1, prompts.PhaseOn(programmeDay(q, at)))
		}
	}
	return out
}

// withFirst returns p with FirstNudge set from history, as storage would.
func withFirst(p storage.Profile, history []storage.Delivery) storage.Profile {
	if len(history) > 0 {
		p.FirstNudge = history[0].ClaimedAt
	}
	return p
}

// TypicalAnswers answers like a plausible manager: of every ten nudges,
// four done with a reply, one done without, two skipped, two ignored and
// one put off ("Not yet").
func TypicalAnswers(i int, _ prompts.Nudge) SeasonAnswer {
	switch i % 10 {
	case 0, 3, 5, 8:
		return SeasonAnswer{Outcome: storage.OutcomeDone, Replied: true}
	case 1:
		return SeasonAnswer{Outcome: storage.OutcomeDone}
	case 2, 7:
		return SeasonAnswer{Outcome: storage.OutcomeSkipped}
	case 4:
		return SeasonAnswer{Outcome: storage.OutcomeNotYet}
	}
	return SeasonAnswer{}
}
