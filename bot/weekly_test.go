package bot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/prompts"
)

// The weekly slot stays at the same local time across daylight-saving
// changes, in the timezone of the person who set it.
func TestWeeklyNextAcrossTimezonesAndDST(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	newYork := mustLoad(t, "America/New_York")
	santiago := mustLoad(t, "America/Santiago")
	sydney := mustLoad(t, "Australia/Sydney")
	kolkata := mustLoad(t, "Asia/Kolkata")
	tests := []struct {
		name  string
		w     weeklySchedule
		after time.Time
		want  time.Time
	}{
		{"Berlin, same day before the time", weeklySchedule{time.Friday, 15 * 60, berlin},
			time.Date(2026, 11, 27, 14, 0, 0, 0, berlin), time.Date(2026, 11, 27, 15, 0, 0, 0, berlin)},
		{"Berlin, at the time: strictly after", weeklySchedule{time.Friday, 15 * 60, berlin},
			time.Date(2026, 11, 27, 15, 0, 0, 0, berlin), time.Date(2026, 12, 4, 15, 0, 0, 0, berlin)},
		{"Berlin, over the autumn change (CEST to CET)", weeklySchedule{time.Friday, 15 * 60, berlin},
			time.Date(2026, 10, 23, 15, 0, 0, 0, berlin), time.Date(2026, 10, 30, 15, 0, 0, 0, berlin)},
		{"Berlin, over the spring change (CET to CEST)", weeklySchedule{time.Monday, 9 * 60, berlin},
			time.Date(2026, 3, 23, 9, 0, 0, 0, berlin), time.Date(2026, 3, 30, 9, 0, 0, 0, berlin)},
		{"Berlin, a time the spring change skips: the first minute after the gap, not a week later", weeklySchedule{time.Sunday, 2*60 + 30, berlin},
			time.Date(2026, 3, 27, 12, 0, 0, 0, berlin), time.Date(2026, 3, 29, 3, 0, 0, 0, berlin)},
		{"Santiago, Sunday 00:00 as the clocks go back from Sunday 00:00 to Saturday 23:00: on Sunday", weeklySchedule{time.Sunday, 0, santiago},
			time.Date(2027, 3, 30, 12, 0, 0, 0, santiago), time.Date(2027, 4, 4, 4, 0, 0, 0, time.UTC)},
		{"Berlin, a time the autumn change repeats: once", weeklySchedule{time.Sunday, 2*60 + 30, berlin},
			time.Date(2026, 10, 23, 12, 0, 0, 0, berlin), time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)},
		{"New York, over its own change (a week after Berlin's)", weeklySchedule{time.Friday, 9 * 60, newYork},
			time.Date(2026, 10, 30, 9, 0, 0, 0, newYork), time.Date(2026, 11, 6, 9, 0, 0, 0, newYork)},
		{"Sydney, spring forward in October", weeklySchedule{time.Monday, 10 * 60, sydney},
			time.Date(2026, 9, 28, 10, 0, 0, 0, sydney), time.Date(2026, 10, 5, 10, 0, 0, 0, sydney)},
		{"Kolkata, half-hour offset, no DST", weeklySchedule{time.Wednesday, 17*60 + 45, kolkata},
			time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 12, 15, 0, 0, time.UTC)},
		{"late evening in New York is the next day in UTC", weeklySchedule{time.Thursday, 22 * 60, newYork},
			time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.w.next(tt.after)
			if !got.Equal(tt.want) {
				t.Errorf("next(%v) = %v, want %v", tt.after, got, tt.want.In(tt.w.loc))
			}
			if got.In(tt.w.loc).Weekday() != tt.w.day {
				t.Errorf("next falls on a %v, want %v", got.In(tt.w.loc).Weekday(), tt.w.day)
			}
		})
	}
}

func TestWeeklyLatest(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	w := weeklySchedule{time.Friday, 15 * 60, berlin}
	fri := time.Date(2026, 11, 27, 15, 0, 0, 0, berlin)
	tests := []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"at the slot", fri, fri},
		{"a second before: last week's", fri.Add(-time.Second), fri.AddDate(0, 0, -7)},
		{"on Monday: last Friday's", time.Date(2026, 11, 30, 8, 0, 0, 0, berlin), fri},
		{"over the autumn change", time.Date(2026, 10, 30, 14, 59, 0, 0, berlin), time.Date(2026, 10, 23, 15, 0, 0, 0, berlin)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := w.latest(tt.at); !got.Equal(tt.want) {
				t.Errorf("latest(%v) = %v, want %v", tt.at, got.In(berlin), tt.want)
			}
		})
	}
}

// A due slot is posted on time, late within the catch-up window, or
// skipped; after a long downtime only the latest slot counts.
func TestWeeklyDue(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	w := weeklySchedule{time.Friday, 15 * 60, berlin}
	fri := time.Date(2026, 11, 27, 15, 0, 0, 0, berlin)
	tests := []struct {
		name      string
		now       time.Time
		catchup   time.Duration
		wantSlot  time.Time
		wantLate  bool
		wantAfter time.Time
	}{
		{"on time", fri.Add(10 * time.Second), 2 * time.Hour, fri, false, fri.AddDate(0, 0, 7)},
		{"late, inside the window", fri.Add(90 * time.Minute), 2 * time.Hour, fri, false, fri.AddDate(0, 0, 7)},
		{"late, outside the window", fri.Add(3 * time.Hour), 2 * time.Hour, fri, true, fri.AddDate(0, 0, 7)},
		{"no catch-up still posts within the tick", fri.Add(20 * time.Second), 0, fri, false, fri.AddDate(0, 0, 7)},
		{"no catch-up skips a late one", fri.Add(5 * time.Minute), 0, fri, true, fri.AddDate(0, 0, 7)},
		{"three weeks down: the latest slot, in its window", fri.AddDate(0, 0, 21).Add(time.Hour), 2 * time.Hour,
			fri.AddDate(0, 0, 21), false, fri.AddDate(0, 0, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slot, next, late := weeklyDue(w, fri, tt.now, tt.catchup)
			if !slot.Equal(tt.wantSlot) || late != tt.wantLate || !next.Equal(tt.wantAfter) {
				t.Errorf("weeklyDue = %v, %v, %v; want %v, %v, %v", slot.In(berlin), next.In(berlin), late,
					tt.wantSlot, tt.wantAfter, tt.wantLate)
			}
		})
	}
}

func TestOneDay(t *testing.T) {
	tests := []struct {
		args []string
		want time.Weekday
		ok   bool
	}{
		{[]string{"fri", "15:00"}, time.Friday, true},
		{[]string{"Sunday", "9am"}, time.Sunday, true},
		{[]string{"mon,fri", "15:00"}, 0, false},
		{[]string{"weekdays", "15:00"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			days, _, _, _, err := parseSchedule(tt.args)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := days.Only()
			if got != tt.want || ok != tt.ok {
				t.Errorf("Only = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

// Each channel goes through every prompt in its own order before any
// repeats, and its next round is in another order.
func TestNextTeamPromptRounds(t *testing.T) {
	lib := testLibrary(t)
	all := lib.TeamPrompts
	if len(all) < 52 {
		t.Fatalf("%d team prompts, want at least 52: one a week for a year without a repeat", len(all))
	}
	sequence := func(channel string, n int) []string {
		var used []string
		for range n {
			p, ok := nextTeamPrompt(all, channel, used)
			if !ok {
				t.Fatal("no prompt")
			}
			used = append(used, p.ID)
		}
		return used
	}
	a := sequence("C0AAA", 2*len(all))
	for round := range 2 {
		seen := map[string]bool{}
		for _, id := range a[round*len(all) : (round+1)*len(all)] {
			if seen[id] {
				t.Fatalf("round %d repeats %s before all were used", round, id)
			}
			seen[id] = true
		}
	}
	if strings.Join(a[:len(all)], ",") == strings.Join(a[len(all):], ",") {
		t.Error("the second round repeats the first round's order")
	}
	b := sequence("C0BBB", len(all))
	if strings.Join(a[:len(all)], ",") == strings.Join(b, ",") {
		t.Error("two channels get the same order")
	}
	// A prompt removed from the library (or posted twice by hand) does not
	// block the round.
	used := append([]string{"gone-from-library"}, a[:len(all)-1]...)
	used = append(used, a[0])
	if p, _ := nextTeamPrompt(all, "C0AAA", used); p.ID != a[len(all)-1] {
		t.Errorf("next = %s, want the one prompt left in the round, %s", p.ID, a[len(all)-1])
	}
	if _, ok := nextTeamPrompt(nil, "C0AAA", nil); ok {
		t.Error("a prompt from an empty library")
	}
}

func TestAnsweredLine(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, ""},
		{1, "Last week one of you answered: thank you!"},
		{5, "Last week 5 of you answered: thank you!"},
	}
	for _, tt := range tests {
		if got := answeredLine(tt.n); got != tt.want {
			t.Errorf("answeredLine(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// The prompt and its source are escaped like any text put in mrkdwn; the
// pause DM names the channel only through a well-formed id.
func TestWeeklyMessagesEscape(t *testing.T) {
	msg := teamPromptMessage(prompts.TeamPrompt{Text: "Who did <!channel> & <@U1> thank?", Source: prompts.Source{Title: "A <b>"}}, 3)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // show the text as Slack gets it
	if err := enc.Encode(msg.blocks); err != nil {
		t.Fatal(err)
	}
	// Some slack-go blocks marshal themselves, escaping HTML anyway.
	got := strings.NewReplacer(`\u0026`, "&", `\u003c`, "<", `\u003e`, ">").Replace(buf.String())
	for _, want := range []string{"Last week 3 of you answered", "Who did &lt;!channel&gt; &amp; &lt;@U1&gt; thank?", "A &lt;b&gt;"} {
		if !strings.Contains(got, want) {
			t.Errorf("prompt message lacks %q:\n%s", want, got)
		}
	}
	if channelMention("C0TEAM") != "<#C0TEAM>" || channelMention("C0|<!here>") != "the channel" {
		t.Errorf("channelMention: %q, %q", channelMention("C0TEAM"), channelMention("C0|<!here>"))
	}
}
