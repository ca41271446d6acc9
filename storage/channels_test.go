package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// teamChannel saves channel C1, active, due at t0, set by U1.
func teamChannel(t *testing.T, db *DB) TeamChannel {
	t.Helper()
	c := TeamChannel{ChannelID: "C1", TeamID: "T1", OwnerID: "U1", TZ: "Europe/Berlin",
		Weekday: time.Friday, Minute: 15 * 60, Status: ChannelActive, NextAt: t0}
	if ok, err := db.ReplaceTeamChannel(context.Background(), c, TeamChannel{}, false); err != nil || !ok {
		t.Fatalf("ReplaceTeamChannel = %v, %v", ok, err)
	}
	return c
}

// teamReplies returns the replies to post postID, oldest first.
func (db *DB) teamReplies(ctx context.Context, postID int64) ([]TeamReply, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, post_id, channel_id, user_id, ts, text, created_at, edited_at
		FROM team_replies WHERE post_id = ? ORDER BY created_at, id`, postID)
	if err != nil {
		return nil, fmt.Errorf("team replies to %d: %w", postID, err)
	}
	defer rows.Close()
	var out []TeamReply
	for rows.Next() {
		var r TeamReply
		var created, edited int64
		if err := rows.Scan(&r.ID, &r.PostID, &r.ChannelID, &r.UserID, &r.TS, &r.Text, &created, &edited); err != nil {
			return nil, fmt.Errorf("team replies to %d: %w", postID, err)
		}
		r.CreatedAt, r.EditedAt = fromUnix(created), fromUnix(edited)
		out = append(out, r)
	}
	return out, rows.Err()
}

func TestTeamChannelRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	if _, err := db.TeamChannel(ctx, "C1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("TeamChannel before set-up: %v, want ErrNotFound", err)
	}
	teamChannel(t, db)
	got, err := db.TeamChannel(ctx, "C1")
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnerID != "U1" || got.Weekday != time.Friday || got.Minute != 900 || got.Status != ChannelActive ||
		!got.NextAt.Equal(t0) || got.TZ != "Europe/Berlin" || got.TeamID != "T1" {
		t.Errorf("TeamChannel = %+v", got)
	}
	if due, err := db.DueTeamChannels(ctx, t0.Add(-time.Second), 10); err != nil || len(due) != 0 {
		t.Errorf("due before the slot = %v, %v; want none", due, err)
	}
	if due, err := db.DueTeamChannels(ctx, t0, 10); err != nil || len(due) != 1 {
		t.Errorf("due at the slot = %v, %v; want C1", due, err)
	}

	// Off: not due any more, and turning off twice reports nothing to do.
	if ok, err := db.TurnOffTeamChannel(ctx, "C1"); err != nil || !ok {
		t.Fatalf("TurnOff = %v, %v", ok, err)
	}
	if ok, _ := db.TurnOffTeamChannel(ctx, "C1"); ok {
		t.Error("second TurnOff reported a change")
	}
	if due, _ := db.DueTeamChannels(ctx, t0, 10); len(due) != 0 {
		t.Errorf("an off channel is due: %v", due)
	}
}

// Two processes race for the same week slot: exactly one claims it.
func TestClaimTeamSlotOnceAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "leadbot.db")
	ctx := context.Background()
	var dbs []*DB
	for range 2 {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs = append(dbs, db)
	}
	teamChannel(t, dbs[0])
	next := t0.Add(7 * 24 * time.Hour)

	var wg sync.WaitGroup
	claims := make(chan bool, 20)
	for i := range 20 {
		db := dbs[i%2]
		wg.Go(func() {
			_, ok, err := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p1", Slot: t0, Week: mondayWeek(t0, "UTC")}, t0, next)
			if err != nil {
				t.Error(err)
			}
			claims <- ok
		})
	}
	wg.Wait()
	close(claims)
	n := 0
	for ok := range claims {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d claims of one slot, want 1", n)
	}
	c, _ := dbs[1].TeamChannel(ctx, "C1")
	if !c.NextAt.Equal(next) {
		t.Errorf("next slot %v, want %v", c.NextAt, next)
	}
}

// "weekly now" and the scheduler both want the week: whoever comes first
// posts it, the other gets nothing, and the schedule moves on.
func TestClaimTeamPostAndSlotShareTheWeek(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	teamChannel(t, db)
	next := t0.Add(7 * 24 * time.Hour)

	p, ok, err := db.ClaimTeamPost(ctx, TeamPost{ChannelID: "C1", PromptID: "p1", Slot: t0, Week: mondayWeek(t0, "UTC")}, next)
	if err != nil || !ok || p.Source != TeamSourceNow {
		t.Fatalf("ClaimTeamPost = %+v, %v, %v", p, ok, err)
	}
	if c, _ := db.TeamChannel(ctx, "C1"); !c.NextAt.Equal(next) {
		t.Errorf("next slot %v after posting the due week now, want %v", c.NextAt, next)
	}
	if _, ok, err := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p2", Slot: t0, Week: mondayWeek(t0, "UTC")}, t0, next); err != nil || ok {
		t.Errorf("scheduler claimed a week posted already: %v, %v", ok, err)
	}
	again, ok, err := db.ClaimTeamPost(ctx, TeamPost{ChannelID: "C1", PromptID: "p3", Slot: t0, Week: mondayWeek(t0, "UTC")}, next)
	if err != nil || ok || again.ID != p.ID || again.PromptID != "p1" {
		t.Errorf("second ClaimTeamPost = %+v, %v, %v; want the first post, false", again, ok, err)
	}
}

func TestTeamPostsRepliesAndPause(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	teamChannel(t, db)
	p, _, err := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p1", Slot: t0, Week: mondayWeek(t0, "UTC")}, t0, t0.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.TeamPostByMessage(ctx, "C1", "100.1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a claimed post is found by message: %v", err)
	}
	if err := db.MarkTeamPostSent(ctx, p.ID, "100.1"); err != nil {
		t.Fatal(err)
	}
	got, err := db.TeamPostByMessage(ctx, "C1", "100.1")
	if err != nil || got.ID != p.ID || got.State != StateSent {
		t.Fatalf("TeamPostByMessage = %+v, %v", got, err)
	}

	reply := func(event, user, ts, text string) bool {
		t.Helper()
		ok, err := db.RecordTeamReply(ctx, event, TeamReply{PostID: p.ID, ChannelID: "C1", UserID: user, TS: ts, Text: text})
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !reply("Ev1", "U2", "100.2", "hello") || !reply("Ev2", "U3", "100.3", "hi") || !reply("Ev3", "U2", "100.4", "again") {
		t.Fatal("a new reply was not stored")
	}
	if reply("Ev1", "U2", "100.2", "hello") {
		t.Error("a redelivered event was stored twice")
	}
	if reply("Ev9", "U2", "100.2", "hello") {
		t.Error("the same message was stored twice under another event id")
	}
	if ok, err := db.RecordTeamReply(ctx, "Ev4", TeamReply{PostID: p.ID, ChannelID: "C2", UserID: "U2", TS: "1.1", Text: "x"}); ok || err != nil {
		t.Errorf("a reply in another channel was filed against the post: %v, %v", ok, err)
	}
	if n, _ := db.TeamRepliers(ctx, p.ID); n != 2 {
		t.Errorf("%d repliers, want 2 distinct people", n)
	}
	if ok, _ := db.EditTeamReply(ctx, "Ev5", "U3", "C1", "100.3", "hi all"); !ok {
		t.Error("edit not applied")
	}
	if ok, _ := db.EditTeamReply(ctx, "Ev6", "U2", "C1", "100.3", "not mine"); ok {
		t.Error("someone else's reply was edited")
	}
	if ok, _ := db.DeleteTeamReply(ctx, "Ev7", "C1", "100.2"); !ok {
		t.Error("delete not applied")
	}
	rs, _ := db.teamReplies(ctx, p.ID)
	if len(rs) != 2 || rs[0].Text != "hi all" || rs[1].Text != "again" {
		t.Errorf("replies = %+v", rs)
	}

	// A second post: the previous one is the first.
	p2, _, _ := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p2", Slot: t0.Add(7 * 24 * time.Hour), Week: mondayWeek(t0.Add(7*24*time.Hour), "UTC")},
		t0.Add(7*24*time.Hour), t0.Add(14*24*time.Hour))
	if prev, err := db.PreviousTeamPost(ctx, "C1", p2.ID); err != nil || prev.ID != p.ID {
		t.Errorf("PreviousTeamPost = %+v, %v", prev, err)
	}
	if ps, _ := db.TeamPosts(ctx, "C1"); len(ps) != 2 || ps[0].PromptID != "p1" || ps[1].PromptID != "p2" {
		t.Errorf("TeamPosts = %+v", ps)
	}

	// Pausing: only the first caller pauses (and tells the owner); the
	// post is failed and no longer counts among the prompts used.
	if ok, err := db.PauseTeamChannel(ctx, "C1", p2.ID, "not_in_channel"); err != nil || !ok {
		t.Fatalf("PauseTeamChannel = %v, %v", ok, err)
	}
	if ok, _ := db.PauseTeamChannel(ctx, "C1", p2.ID, "not_in_channel"); ok {
		t.Error("a paused channel was paused again")
	}
	c, _ := db.TeamChannel(ctx, "C1")
	if c.Status != ChannelPaused || c.PauseReason != "not_in_channel" || c.OwnerNotifiedAt.IsZero() {
		t.Errorf("paused channel = %+v", c)
	}
	if ps, _ := db.TeamPosts(ctx, "C1"); len(ps) != 1 {
		t.Errorf("%d posts in use after a failed one, want 1", len(ps))
	}
	// Setting it again un-pauses and forgets the notification.
	was := c
	c.Status = ChannelActive
	if ok, err := db.ReplaceTeamChannel(ctx, c, was, true); err != nil || !ok {
		t.Fatalf("ReplaceTeamChannel = %v, %v", ok, err)
	}
	if c, _ = db.TeamChannel(ctx, "C1"); c.Status != ChannelActive || c.PauseReason != "" || !c.OwnerNotifiedAt.IsZero() {
		t.Errorf("re-enabled channel = %+v", c)
	}
}

func TestStaleTeamPosts(t *testing.T) {
	ctx := context.Background()
	now := t0
	var mu sync.Mutex
	db := openTest(t, WithClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	teamChannel(t, db)
	p, _, _ := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p1", Slot: t0, Week: mondayWeek(t0, "UTC")}, t0, t0.Add(7*24*time.Hour))
	if s, _ := db.StaleTeamPosts(ctx, t0, 10); len(s) != 0 {
		t.Errorf("a fresh claim is stale: %v", s)
	}
	s, err := db.StaleTeamPosts(ctx, t0.Add(time.Minute), 10)
	if err != nil || len(s) != 1 || s[0].ID != p.ID {
		t.Fatalf("StaleTeamPosts = %v, %v", s, err)
	}
	mu.Lock()
	now = t0.Add(5 * time.Minute)
	mu.Unlock()
	if ok, _ := db.ReclaimTeamPost(ctx, s[0]); !ok {
		t.Error("reclaim failed")
	}
	if ok, _ := db.ReclaimTeamPost(ctx, s[0]); ok {
		t.Error("a post was reclaimed twice")
	}
	for _, ch := range []string{"C1", "C2"} {
		if got, err := db.HasClaimedTeamPost(ctx, ch); err != nil || got != (ch == "C1") {
			t.Errorf("HasClaimedTeamPost(%s) while C1's is claimed = %v, %v", ch, got, err)
		}
	}
	if err := db.MarkTeamPostSent(ctx, p.ID, "100.1"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.HasClaimedTeamPost(ctx, "C1"); err != nil || got {
		t.Errorf("HasClaimedTeamPost once sent = %v, %v; want false", got, err)
	}
}

// Forget removes a person's thread replies and their id from the channels
// they set up, and leaves the team's prompt and everyone else's replies.
func TestForgetRemovesTeamData(t *testing.T) {
	ctx := context.Background()
	db := openTest(t, WithClock(func() time.Time { return t0 }))
	teamChannel(t, db) // set up by U1
	p, _, _ := db.ClaimTeamSlot(ctx, TeamPost{ChannelID: "C1", PromptID: "p1", Slot: t0, Week: mondayWeek(t0, "UTC")}, t0, t0.Add(7*24*time.Hour))
	if err := db.MarkTeamPostSent(ctx, p.ID, "100.1"); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{"U1", "U2"} {
		if _, err := db.RecordTeamReply(ctx, "Ev"+u, TeamReply{PostID: p.ID, ChannelID: "C1", UserID: u, TS: fmt.Sprintf("100.%d", i+2), Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	// An edit of U1's that came before its message (tombstones.go).
	if _, err := db.EditTeamReply(ctx, "EvEditU1", "U1", "C1", "100.9", "early edit"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Forget(ctx, "U1"); err != nil {
		t.Fatal(err)
	}
	if left := rowsMentioning(t, db, "U1"); len(left) > 0 {
		t.Errorf("after Forget, U1 is still in %v", left)
	}
	c, err := db.TeamChannel(ctx, "C1")
	if err != nil || c.Status != ChannelActive || c.OwnerID != "" {
		t.Errorf("the team's channel after its owner was forgotten: %+v, %v", c, err)
	}
	if rs, _ := db.teamReplies(ctx, p.ID); len(rs) != 1 || rs[0].UserID != "U2" {
		t.Errorf("replies left: %+v", rs)
	}
}
