package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// channelGoneErrors are the Slack errors that mean the bot cannot post in
// a channel until someone acts (invites it back, unarchives the channel):
// the channel's prompt is paused rather than retried.
var channelGoneErrors = map[string]bool{
	"channel_not_found": true, "not_in_channel": true, "is_archived": true,
}

// weeklyPass posts the weekly prompts that are due: first it finishes
// posts interrupted by a crash, then it claims the due week slots. Both
// claim in the database first, so two processes never post the same week.
// A shutdown stops it between posts; what it cut short is no error (the
// next pass, in this process or another, picks it up), so it is not
// logged as one.
func (b *Bot) weeklyPass(ctx context.Context, log *slog.Logger, now time.Time) {
	if ctx.Err() != nil {
		return
	}
	b.recoverTeamPosts(ctx, log, now)
	b.claimDueChannels(ctx, log, now)
}

// logFailure logs a failed step of the weekly pass, unless it failed only
// because the pass is being stopped.
func logFailure(ctx context.Context, log *slog.Logger, msg string, err error) {
	if ctx.Err() != nil {
		return
	}
	log.Error(msg, keyErr, err)
}

// claimDueChannels claims and posts every due week slot, or skips it if it
// was missed by more than the catch-up window.
func (b *Bot) claimDueChannels(ctx context.Context, log *slog.Logger, now time.Time) {
	for ctx.Err() == nil {
		due, err := b.store.DueTeamChannels(ctx, now, dueBatch)
		if err != nil {
			logFailure(ctx, log, "could not read due team channels", err)
			return
		}
		progressed := false
		for _, c := range due {
			if ctx.Err() != nil {
				return
			}
			progressed = b.claimChannelSlot(ctx, log, c, now) || progressed
		}
		if len(due) < dueBatch || !progressed {
			return
		}
	}
}

// claimChannelSlot handles one due channel and reports whether its
// schedule moved on.
func (b *Bot) claimChannelSlot(ctx context.Context, log *slog.Logger, c storage.TeamChannel, now time.Time) bool {
	log = log.With(keyChannel, c.ChannelID)
	w := scheduleOf(c)
	slot, next, tooLate := weeklyDue(w, c.NextAt, now, b.sched.catchup)
	if tooLate {
		moved, err := b.store.AdvanceTeamChannel(ctx, c.ChannelID, c.NextAt, next)
		if err != nil {
			logFailure(ctx, log, "could not skip a missed weekly prompt", err)
		} else if moved {
			log.Warn("weekly prompt missed by more than the catch-up window; skipped", keySlot, slot, keyLag, now.Sub(slot))
		}
		return moved
	}
	prompt, err := b.pickTeamPrompt(ctx, c.ChannelID)
	if err != nil {
		logFailure(ctx, log, "could not choose the weekly prompt", err)
		return false
	}
	p, claimed, err := b.store.ClaimTeamSlot(ctx, storage.TeamPost{ChannelID: c.ChannelID, PromptID: prompt.ID, Slot: slot, Week: w.week(slot)}, c.NextAt, next)
	if err != nil {
		logFailure(ctx, log, "could not claim a weekly prompt", err)
		return false
	}
	if !claimed {
		return true // another process has it, or the week was posted with "weekly now"
	}
	if lag := now.Sub(slot); lag > onTimeGrace {
		log.Info("posting a missed weekly prompt late", keySlot, slot, keyLag, lag)
	}
	b.postClaimed(ctx, log, c, p)
	return true
}

// postClaimed posts a claimed prompt for the scheduler. Like a nudge,
// a post that has started is finished and recorded even if shutdown
// begins meanwhile. deliver logs what happens: a failure is retried by
// recoverTeamPosts or pauses the channel.
func (b *Bot) postClaimed(ctx context.Context, log *slog.Logger, c storage.TeamChannel, p storage.TeamPost) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	_ = b.deliver(ctx, log, teamOut{c: c, p: p})
}

// pickTeamPrompt chooses the channel's next prompt from the ones it has
// used so far.
func (b *Bot) pickTeamPrompt(ctx context.Context, channelID string) (prompts.TeamPrompt, error) {
	posts, err := b.store.TeamPosts(ctx, channelID)
	if err != nil {
		return prompts.TeamPrompt{}, err
	}
	used := make([]string, len(posts))
	for i, p := range posts {
		used[i] = p.PromptID
	}
	p, ok := nextTeamPrompt(b.lib.TeamPrompts, channelID, used)
	if !ok {
		return p, errors.New("the library has no team prompts")
	}
	return p, nil
}

// nextTeamPrompt returns the prompt a channel gets next, given the ids it
// was posted so far, oldest first. The prompts go in rounds: none repeats
// before all were used. Within a round the order is a shuffle fixed per
// channel and round, so two teams do not get the same sequence and a
// channel's second round differs from its first.
func nextTeamPrompt(all []prompts.TeamPrompt, channelID string, used []string) (prompts.TeamPrompt, bool) {
	if len(all) == 0 {
		return prompts.TeamPrompt{}, false
	}
	known := make(map[string]bool, len(all))
	for _, p := range all {
		known[p.ID] = true
	}
	round := 0
	inRound := map[string]bool{}
	for _, id := range used {
		if !known[id] || inRound[id] {
			continue // removed from the library, or repeated by hand
		}
		inRound[id] = true
		if len(inRound) == len(all) {
			round++
			inRound = map[string]bool{}
		}
	}
	var best prompts.TeamPrompt
	var bestKey uint64
	found := false
	for _, p := range all {
		if inRound[p.ID] {
			continue
		}
		k := teamShuffleKey(channelID, round, p.ID)
		if !found || k < bestKey {
			best, bestKey, found = p, k, true
		}
	}
	return best, found
}

func teamShuffleKey(channelID string, round int, promptID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(channelID))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(round)))
	h.Write([]byte{0})
	h.Write([]byte(promptID))
	return h.Sum64()
}

func (b *Bot) teamPrompt(id string) (prompts.TeamPrompt, bool) {
	for _, p := range b.lib.TeamPrompts {
		if p.ID == id {
			return p, true
		}
	}
	return prompts.TeamPrompt{}, false
}

// teamOut is a claimed weekly prompt on the delivery path: to the team
// channel, opening with how many answered last week's, recorded in
// team_posts. When the bot can no longer post there the channel is paused
// and its owner told.
type teamOut struct {
	c storage.TeamChannel
	p storage.TeamPost
}

var teamMarker = marker{teamPostMetadataType, "post_id"}

func (o teamOut) describe() (string, int64)                     { return "weekly prompt", o.p.ID }
func (o teamOut) marker() marker                                { return teamMarker }
func (o teamOut) channel(context.Context, *Bot) (string, error) { return o.c.ChannelID, nil }

func (o teamOut) message(ctx context.Context, b *Bot) (message, error) {
	prompt, ok := b.teamPrompt(o.p.PromptID)
	if !ok {
		return message{}, fmt.Errorf("team prompt %s: %w: no longer in the library", o.p.PromptID, errGone)
	}
	answered := 0
	if prev, err := b.store.PreviousTeamPost(ctx, o.c.ChannelID, o.p.ID); err == nil {
		if answered, err = b.store.TeamRepliers(ctx, prev.ID); err != nil {
			b.log.Warn("could not count last week's answers; posting without the line", keyChannel, o.c.ChannelID, keyErr, err)
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		b.log.Warn("could not read last week's prompt; posting without the line", keyChannel, o.c.ChannelID, keyErr, err)
	}
	return teamPromptMessage(prompt, answered), nil
}

func (o teamOut) record(ctx context.Context, b *Bot, _, ts string) error {
	return b.store.MarkTeamPostSent(ctx, o.p.ID, ts)
}

func (o teamOut) fail(ctx context.Context, b *Bot, log *slog.Logger, code string) {
	if channelGoneErrors[code] {
		b.pauseChannel(ctx, log, o.c, o.p.ID, code)
		return
	}
	b.markTeamPostFailed(ctx, log, o.p)
}

func (o teamOut) sent(_ context.Context, b *Bot, log *slog.Logger, _ string) {
	log.Info("weekly prompt posted", keyChannel, o.c.ChannelID, keySource, o.p.Source, keyPrompt, o.p.PromptID)
	b.metrics.TeamPromptSent()
}

func (b *Bot) markTeamPostFailed(ctx context.Context, log *slog.Logger, p storage.TeamPost) {
	if err := b.store.MarkTeamPostFailed(context.WithoutCancel(ctx), p.ID); err != nil {
		log.Error("could not mark the weekly prompt failed", keyErr, err)
	}
}

// pauseChannel pauses c's prompt because the bot cannot post there (reason
// is Slack's error) and sends its owner one DM about it. Only the process
// that paused the channel sends the DM, and a DM that fails is not tried
// again: one message, never a storm.
func (b *Bot) pauseChannel(ctx context.Context, log *slog.Logger, c storage.TeamChannel, postID int64, reason string) {
	ctx = context.WithoutCancel(ctx)
	paused, err := b.store.PauseTeamChannel(ctx, c.ChannelID, postID, reason)
	if err != nil {
		log.Error("could not pause the weekly prompt", keyErr, err)
		return
	}
	if !paused {
		return // paused already (and its owner told) by another process or an earlier post
	}
	log.Warn("weekly prompt paused: the bot cannot post in the channel", keyReason, reason, keyOwner, c.OwnerID)
	if c.OwnerID == "" {
		return // the person who set it asked to be forgotten: nobody to tell
	}
	u, err := b.store.User(ctx, c.OwnerID)
	if errors.Is(err, storage.ErrNotFound) {
		u, err = storage.User{ID: c.OwnerID, TeamID: c.TeamID}, nil
	}
	if err != nil {
		log.Error("could not read the owner to tell them about the pause", keyErr, err)
		return
	}
	dm, err := b.dmChannel(ctx, u)
	if err != nil {
		log.Warn("could not open a DM to tell the owner about the pause", keyOwner, c.OwnerID, keyErr, slackErrorCode(err))
		return
	}
	if err := b.sched.limit.Wait(ctx); err != nil {
		return
	}
	if _, _, err := b.api.PostMessageContext(ctx, dm, teamPausedDM(c, reason).options()...); err != nil {
		log.Warn("could not tell the owner about the pause", keyOwner, c.OwnerID, keyErr, slackErrorCode(err))
		return
	}
	log.Info("owner told about the paused weekly prompt", keyOwner, c.OwnerID)
}

// recoverTeamPosts finds posts claimed but never confirmed sent (the
// process stopped, or Slack failed, between the claim and the record). If
// the channel's recent history shows the message (matched by the post id
// in its metadata) it is recorded as sent; otherwise it is posted again,
// unless it has become too late. Either way the channel gets it at most
// once.
func (b *Bot) recoverTeamPosts(ctx context.Context, log *slog.Logger, now time.Time) {
	stale, err := b.store.StaleTeamPosts(ctx, now.Add(-staleClaimAfter), dueBatch)
	if err != nil {
		logFailure(ctx, log, "could not read interrupted weekly prompts", err)
		return
	}
	for _, p := range stale {
		if ctx.Err() != nil {
			return
		}
		plog := log.With(keyChannel, p.ChannelID, keyPost, p.ID)
		if ok, err := b.store.ReclaimTeamPost(ctx, p); err != nil {
			logFailure(ctx, plog, "could not take over an interrupted weekly prompt", err)
			continue
		} else if !ok {
			continue // another process is on it
		}
		c, err := b.store.TeamChannel(ctx, p.ChannelID)
		if err != nil {
			logFailure(ctx, plog, "could not read the channel of an interrupted weekly prompt", err)
			continue
		}
		// A "now" post matters from when it was asked for. Not ClaimedAt:
		// each takeover renews it, and the post would be retried forever.
		since := p.Slot
		if p.Source == storage.TeamSourceNow {
			since = p.RequestedAt
		}
		if c.Status != storage.ChannelActive {
			plog.Warn("interrupted weekly prompt in a channel no longer active; dropped", keyStatus, c.Status)
			b.markTeamPostFailed(ctx, plog, p)
			continue
		}
		// Looked for even when too old to post again: one that is out is
		// recorded (its thread's replies count), not marked failed.
		found, err := b.recoverPosted(ctx, teamOut{c: c, p: p}, p.ChannelID, 100)
		tooOld := now.Sub(since) > max(b.sched.catchup, onTimeGrace)
		switch {
		case err != nil && channelGoneErrors[slackErrorCode(err)]:
			b.pauseChannel(ctx, plog, c, p.ID, slackErrorCode(err))
		case err != nil && ctx.Err() != nil: // shutting down
		case err != nil:
			plog.Warn("could not check whether an interrupted weekly prompt was posted", keyErr, err)
			if tooOld {
				b.markTeamPostFailed(ctx, plog, p) // it will not be posted: do not look again
			}
		case found:
			plog.Info("interrupted weekly prompt had been posted; recorded")
		case tooOld:
			plog.Warn("interrupted weekly prompt too old to post; dropped")
			b.markTeamPostFailed(ctx, plog, p)
		default:
			plog.Info("posting an interrupted weekly prompt again")
			b.postClaimed(ctx, plog, c, p)
		}
	}
}

// weeklyNow handles "/lead-tip weekly now": it posts this week's prompt at
// once, where "this week" is the calendar week, Monday to Sunday in the
// schedule's timezone. If that week has its prompt already, it says so
// instead: one prompt per week.
func (b *Bot) weeklyNow(ctx context.Context, log *slog.Logger, sc slack.SlashCommand) message {
	c, found, err := b.teamChannel(ctx, sc.ChannelID)
	if err != nil {
		log.Error("could not read the weekly setting", keyErr, err)
		return textMessage(msgSorry)
	}
	if !found || c.Status == storage.ChannelOff {
		return textMessage(msgWeeklyNoneForNow)
	}
	w := scheduleOf(c)
	if c.Status == storage.ChannelPaused {
		return textMessage("The weekly prompt here is paused: " + pauseWords(c.PauseReason) + ". Turn it back on with `/lead-tip weekly " +
			dayWord(w.day) + " " + calendar.Clock(w.minute) + "` first.")
	}
	if msg, ok := b.checkMayChange(ctx, log, sc.UserID, c, "now"); !ok {
		return msg
	}
	if msg, ok := b.checkBotCanPost(ctx, log, sc.ChannelID); !ok {
		return msg
	}
	prompt, err := b.pickTeamPrompt(ctx, c.ChannelID)
	if err != nil {
		log.Error("could not choose the weekly prompt", keyErr, err)
		return textMessage(msgSorry)
	}
	now := b.now()
	next := w.firstAfterWeekOf(now)
	p, claimed, err := b.store.ClaimTeamPost(ctx, storage.TeamPost{ChannelID: c.ChannelID, PromptID: prompt.ID, Week: w.week(now)}, next)
	if err != nil {
		log.Error("could not claim this week's prompt", keyErr, err)
		return textMessage(msgSorry)
	}
	if !claimed {
		when := "is on its way"
		if p.State == storage.StateSent {
			when = "went out " + formatWhen(p.SentAt, w.loc)
		}
		return textMessage("This week's prompt " + when + ", so I will not post another. The next one comes *" + formatWhen(next, w.loc) + "*.")
	}
	log.Info("weekly prompt asked for now", keyAction, "now", keyDelivery, p.ID)
	err = b.deliver(ctx, log, teamOut{c: c, p: p})
	switch {
	case err == nil:
		return textMessage("Posted this week's prompt in the channel. The next one comes *" + formatWhen(next, w.loc) + "*.")
	case errors.Is(err, errPending):
		return textMessage(msgWeeklyRetrying)
	}
	cur, found, err := b.teamChannel(ctx, c.ChannelID)
	if err != nil {
		log.Error("could not read the weekly setting after a failed post", keyErr, err)
	}
	if found && cur.Status == storage.ChannelPaused {
		return textMessage("I could not post here: " + pauseWords(cur.PauseReason) + ". I have paused the weekly prompt; " +
			"invite me with `/invite @Lead Coach` and run `/lead-tip weekly " + dayWord(w.day) + " " + calendar.Clock(w.minute) + "` to start it again.")
	}
	return textMessage(msgSorry)
}
