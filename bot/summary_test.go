package bot

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/leadcoach/leadbot/storage"
)

// The summary quotes three reflections spread over the time: the first,
// one from the middle and the latest, oldest first; short replies are not
// reflections.
func TestPickReflections(t *testing.T) {
	var newestFirst []storage.Reply
	for i := 9; i >= 0; i-- {
		text := fmt.Sprintf("reflection number %d, long enough to count as one", i)
		if i == 5 {
			text = "ok"
		}
		newestFirst = append(newestFirst, storage.Reply{ID: int64(i), Text: text})
	}
	got := pickReflections(newestFirst, 3)
	var ids []int64
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if fmt.Sprint(ids) != "[0 4 9]" {
		t.Errorf("picked %v, want [0 4 9]", ids)
	}
	if got := pickReflections(newestFirst[:2], 3); len(got) != 2 || got[0].ID != 8 {
		t.Errorf("two replies: %+v", got)
	}
}

func TestWeeksAgo(t *testing.T) {
	day := 24 * time.Hour
	for _, c := range []struct {
		age  time.Duration
		want string
	}{{28 * day, "Four weeks ago"}, {34 * day, "Four weeks ago"}, {35 * day, "Five weeks ago"}, {70 * day, "10 weeks ago"}} {
		if got := weeksAgo(c.age); got != c.want {
			t.Errorf("weeksAgo(%v) = %q, want %q", c.age, got, c.want)
		}
	}
}

// What the user wrote is escaped in the look-back, line by line, and in
// the summary.
func TestProgrammeMessagesEscape(t *testing.T) {
	text := "line one <!channel>\nline two <@U0BOSS> & more"
	lb := lookBackMessage(text, "A <b> title", 29*24*time.Hour)
	sum := summaryMessage(testLibrary(t), progress{perKind: map[string]*kindTotals{}}, 5, false,
		[]storage.Reply{{Text: text, CreatedAt: t0}}, time.UTC)
	for name, m := range map[string]message{"look-back": lb, "summary": sum} {
		body := blocksJSON(t, m)
		if strings.Contains(body, "<!channel>") || strings.Contains(body, "<@U0BOSS>") || strings.Contains(body, "<b>") {
			t.Errorf("%s can ping or mark up: %s", name, body)
		}
	}
	if body := blocksJSON(t, lb); !strings.Contains(body, "> line two &lt;@U0BOSS&gt; &amp; more") {
		t.Errorf("look-back does not quote every line: %s", body)
	}
}

// blocksJSON is m's blocks as Slack receives them, with <, > and & as
// they are (not as JSON's \u escapes).
func blocksJSON(t *testing.T, m message) string {
	t.Helper()
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m.blocks); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
