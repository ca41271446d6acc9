package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/storage"
)

// Action ids of the forget confirmation's buttons.
const (
	actionForgetConfirm = "forget_confirm"
	actionForgetCancel  = "forget_cancel"
)

// exportFormat names the export's layout; bump it when the layout changes.
const exportFormat = "leadbot-export/3"

// exportFile is the JSON a user receives from /lead-tip export: everything
// stored about them. The layout is documented in docs/home-and-data.md.
type exportFile struct {
	Format       string          `json:"format"`
	ExportedAt   time.Time       `json:"exported_at"`
	User         *exportUser     `json:"user"`
	Subscription *exportSub      `json:"subscription"`
	Nudges       []exportNudge   `json:"nudges"`
	TipsSeen     []exportTipSeen `json:"tips_seen"`
	TipVotes     []exportTipVote `json:"tip_votes"`
	Digests      []exportDigest  `json:"digests"`
	TeamReplies  []exportReply   `json:"team_replies"`
	ChannelsSet  []string        `json:"weekly_prompt_channels"`
	Profile      *exportProfile  `json:"profile"`
	Milestones   []exportMilest  `json:"milestones"`
}

// exportProfile is what the user said of their situation; a question
// they left unanswered is empty.
type exportProfile struct {
	StartedOn   string    `json:"became_manager_on,omitempty"` // YYYY-MM-DD, approximate
	FormerPeers string    `json:"leads_former_peers,omitempty"`
	FirstTime   string    `json:"first_time_managing,omitempty"`
	TeamSize    int       `json:"team_size,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

type exportMilest struct {
	Name   string    `json:"name"`
	State  string    `json:"state"`
	SentAt time.Time `json:"sent_at,omitzero"`
}

type exportUser struct {
	ID         string    `json:"id"`
	TeamID     string    `json:"team_id"`
	Timezone   string    `json:"timezone"`
	DMChannel  string    `json:"dm_channel"`
	HomeOpened time.Time `json:"home_opened_at,omitzero"`
}

type exportSub struct {
	Days        string    `json:"days"`
	Time        string    `json:"time"`
	Status      string    `json:"status"`
	PausedUntil time.Time `json:"paused_until,omitzero"`
	NextNudge   time.Time `json:"next_nudge,omitzero"`
	DigestOn    bool      `json:"weekly_digest"`
	CreatedAt   time.Time `json:"created_at"`
}

type exportNudge struct {
	NudgeID   string    `json:"nudge_id"`
	Title     string    `json:"title"`
	Kind      string    `json:"kind"`
	Source    string    `json:"source"`
	Slot      time.Time `json:"scheduled_for"`
	State     string    `json:"state"`
	SentAt    time.Time `json:"sent_at,omitzero"`
	Outcome   string    `json:"outcome"`
	OutcomeAt time.Time `json:"outcome_at,omitzero"`
	// LooksBackOn is, for a look-back, the ts of the reply it showed again.
	LooksBackOn string        `json:"looks_back_on_reply,omitempty"`
	Replies     []exportReply `json:"replies"`
}

type exportReply struct {
	Text      string    `json:"text"`
	Via       string    `json:"via"`
	Channel   string    `json:"channel"`
	TS        string    `json:"ts"`
	CreatedAt time.Time `json:"created_at"`
	EditedAt  time.Time `json:"edited_at,omitzero"`
}

type exportTipSeen struct {
	TipID     string    `json:"tip_id"`
	Times     int       `json:"times"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

type exportTipVote struct {
	TipID   string    `json:"tip_id"`
	Helpful bool      `json:"helpful"`
	VotedAt time.Time `json:"voted_at"`
}

type exportDigest struct {
	Week   time.Time `json:"week_of"`
	State  string    `json:"state"`
	SentAt time.Time `json:"sent_at,omitzero"`
}

// buildExport turns what storage holds about a user into the export file.
func (b *Bot) buildExport(data storage.UserData) exportFile {
	f := exportFile{Format: exportFormat, ExportedAt: b.now().UTC(), Nudges: []exportNudge{}, TipsSeen: []exportTipSeen{},
		TipVotes: []exportTipVote{}, Digests: []exportDigest{}, TeamReplies: []exportReply{}, ChannelsSet: []string{},
		Milestones: []exportMilest{}}
	if u := data.User; u != nil {
		f.User = &exportUser{ID: u.ID, TeamID: u.TeamID, Timezone: u.TZ, DMChannel: u.DMChannel, HomeOpened: u.HomeOpened}
	}
	if s := data.Subscription; s != nil {
		f.Subscription = &exportSub{Days: calendar.Days(s.Days).String(), Time: calendar.Clock(s.Minute), Status: s.Status,
			PausedUntil: s.PausedUntil, NextNudge: s.NextAt, DigestOn: s.DigestOn, CreatedAt: s.CreatedAt}
	}
	byDelivery := map[int64][]exportReply{}
	replyTS := map[int64]string{}
	for _, r := range data.Replies {
		replyTS[r.ID] = r.TS
		byDelivery[r.DeliveryID] = append(byDelivery[r.DeliveryID], exportReply{
			Text: r.Text, Via: r.Via, Channel: r.Channel, TS: r.TS, CreatedAt: r.CreatedAt, EditedAt: r.EditedAt})
	}
	for _, d := range data.Deliveries {
		title := b.deliveryTitle(d)
		replies := byDelivery[d.ID]
		if replies == nil {
			replies = []exportReply{}
		}
		f.Nudges = append(f.Nudges, exportNudge{NudgeID: d.NudgeID, Title: title, Kind: d.Kind, Source: d.Source, Slot: d.Slot,
			State: d.State, SentAt: d.SentAt, Outcome: d.Outcome, OutcomeAt: d.OutcomeAt,
			LooksBackOn: replyTS[d.LooksBack], Replies: replies})
	}
	for _, t := range data.TipsSeen {
		f.TipsSeen = append(f.TipsSeen, exportTipSeen{TipID: t.TipID, Times: t.Times, FirstSeen: t.FirstSeen, LastSeen: t.LastSeen})
	}
	for _, v := range data.TipVotes {
		f.TipVotes = append(f.TipVotes, exportTipVote{TipID: v.TipID, Helpful: v.Helpful, VotedAt: v.VotedAt})
	}
	for _, d := range data.Digests {
		f.Digests = append(f.Digests, exportDigest{Week: d.Slot, State: d.State, SentAt: d.SentAt})
	}
	for _, r := range data.TeamReplies {
		f.TeamReplies = append(f.TeamReplies, exportReply{Text: r.Text, Via: "team_thread", Channel: r.ChannelID, TS: r.TS,
			CreatedAt: r.CreatedAt, EditedAt: r.EditedAt})
	}
	f.ChannelsSet = append(f.ChannelsSet, data.ChannelsSet...)
	if p := data.Profile; p != nil {
		f.Profile = &exportProfile{FormerPeers: answerText(p.FormerPeers), FirstTime: answerText(p.FirstTime),
			TeamSize: p.TeamSize, UpdatedAt: p.UpdatedAt}
		if !p.StartedOn.IsZero() {
			f.Profile.StartedOn = p.StartedOn.Format(time.DateOnly)
		}
	}
	for _, m := range data.Milestones {
		f.Milestones = append(f.Milestones, exportMilest{Name: m.Name, State: m.State, SentAt: m.SentAt})
	}
	return f
}

// answerText is an optional yes/no answer as the export shows it.
func answerText(a storage.Answer) string {
	switch a {
	case storage.Yes:
		return "yes"
	case storage.No:
		return "no"
	}
	return ""
}

// exportCommand sends the user a JSON file with everything stored about
// them, in their DM with the bot (files.getUploadURLExternal and
// files.completeUploadExternal, through slack-go's UploadFileContext).
func (b *Bot) exportCommand(ctx context.Context, log *slog.Logger, who person) message {
	data, err := b.store.UserData(ctx, who.id)
	if err != nil {
		log.Error("could not read data for export", keyErr, err)
		return textMessage(msgSorry)
	}
	body, err := json.MarshalIndent(b.buildExport(data), "", "  ")
	if err != nil {
		log.Error("could not encode export", keyErr, err)
		return textMessage(msgSorry)
	}
	u, _ := b.user(ctx, log, who.id, who.team)
	channel, err := b.dmChannel(ctx, u)
	if err != nil {
		log.Warn("could not open the DM for the export", keyErr, slackErrorCode(err))
		return textMessage("I could not open our DM to send the file. Please try again in a minute.")
	}
	_, err = b.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader: bytes.NewReader(body), FileSize: len(body), Filename: "lead-coach-export.json",
		Title: "Everything Lead Coach stores about you", Channel: channel,
		InitialComment: "Here is everything I store about you, as JSON. `/lead-tip forget` deletes it.",
	})
	if err != nil {
		log.Warn("export upload failed", keyErr, slackErrorCode(err))
		return textMessage("I could not upload your export just now. Please try again in a minute.")
	}
	log.Info("data exported", keyNudges, len(data.Deliveries), keyReplies, len(data.Replies), keyBytes, len(body))
	return textMessage("Sent: your data (" + counted(len(data.Deliveries), "nudge", "nudges") + ", " +
		counted(len(data.Replies), "reply", "replies") + ") is in our DM as a JSON file.")
}

// forgetCommand asks for confirmation before deleting everything. It is
// ephemeral, so only the person who typed it sees its buttons; and both
// buttons act on whoever presses them, whatever their value says.
func forgetCommand() message {
	text := "*Delete everything Lead Coach stores about you?* That is your schedule, every nudge and what you answered, " +
		"your replies to team questions, the tips you have seen and rated, your answers about your situation, and your summaries. " +
		"Team channels you set up keep their weekly question, no longer linked to you. " +
		"Messages already in Slack stay where they are. This cannot be undone: `/lead-tip export` first if you want a copy."
	confirm := button(actionForgetConfirm, "Delete everything", "forget")
	confirm.Style = slack.StyleDanger
	return message{text: "Delete everything Lead Coach stores about you?", blocks: []slack.Block{
		section(text), slack.NewActionBlock("forget_actions", confirm, button(actionForgetCancel, "Cancel", "cancel")),
	}}
}

// forgetCancelled answers Cancel: the question is replaced, nothing is
// deleted.
func (b *Bot) forgetCancelled(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback) {
	log.Info("forget cancelled")
	b.replaceOriginal(ctx, log, cb, textMessage("Nothing deleted."))
}

// forgetConfirmed deletes every row about the user who pressed the
// button, in one transaction, resets their Home tab and says what went.
// The button's value is ignored: nobody can delete anyone else's data.
func (b *Bot) forgetConfirmed(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback) {
	f, err := b.store.Forget(ctx, cb.User.ID)
	if err != nil {
		log.Error("could not forget", keyErr, err)
		if err := b.respond(ctx, cb.ResponseURL, textMessage(msgSorry)); err != nil {
			log.Warn("could not answer", keyErr, err)
		}
		return
	}
	log.Info("user data deleted", keyNudges, f.Nudges, keyReplies, f.Replies, keyTips, f.TipsSeen,
		keyTeamReplies, f.TeamReplies, keyTeamChannels, f.TeamChannels)
	b.publishHome(ctx, log, cb.User.ID, nil)
	b.replaceOriginal(ctx, log, cb, textMessage(forgottenWords(f)))
}

// forgottenWords says what Forget deleted, naming only what there was:
// "Done: I deleted 3 nudges, 2 replies, 1 tip seen, your schedule and
// your profile."
func forgottenWords(f storage.Forgotten) string {
	var parts []string
	count := func(n int64, one, many string) {
		if n > 0 {
			parts = append(parts, counted(int(n), one, many))
		}
	}
	count(f.Nudges, "nudge", "nudges")
	count(f.Replies, "reply", "replies")
	count(f.TipsSeen, "tip seen", "tips seen")
	count(f.Digests, "weekly summary", "weekly summaries")
	count(f.TeamReplies, "reply to a team question", "replies to team questions")
	count(f.Milestones, "summary of your first 90 days", "summaries of your first 90 days")
	if f.Subscription {
		parts = append(parts, "your schedule")
	}
	if f.Profile {
		parts = append(parts, "your answers about your situation")
	}
	if f.User {
		parts = append(parts, "your profile")
	}
	var text string
	switch len(parts) {
	case 0:
		text = "There was nothing stored about you, so there was nothing to delete."
	case 1:
		text = "Done: I deleted " + parts[0] + "."
	default:
		text = "Done: I deleted " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1] + "."
	}
	switch {
	case f.TeamChannels == 1:
		text += " The team channel you set up keeps its weekly question, no longer linked to you."
	case f.TeamChannels > 1:
		text += fmt.Sprintf(" The %d team channels you set up keep their weekly question, no longer linked to you.", f.TeamChannels)
	}
	return text + " `/lead-tip start` any time to begin again."
}
