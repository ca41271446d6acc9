package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/prompts"
	"github.com/leadcoach/leadbot/storage"
)

// Action ids of the Home tab's buttons.
const (
	actionHomeStart    = "home_start"
	actionHomePause    = "home_pause"
	actionHomeResume   = "home_resume"
	actionHomeSchedule = "home_schedule"
	actionHomeTip      = "home_tip_another"
)

// homeReflections is how many of the user's latest replies the Home tab
// shows.
const homeReflections = 5

// homeOpened publishes the Home tab when a user opens it, and remembers
// that they look at it, so later changes republish it.
func (b *Bot) homeOpened(ctx context.Context, log *slog.Logger, ev *slackevents.AppHomeOpenedEvent) {
	if ev.Tab != "home" || ev.User == "" {
		return
	}
	log = log.With(keyUser, ev.User)
	b.user(ctx, log, ev.User, "")
	if err := b.store.SaveUser(ctx, storage.User{ID: ev.User, HomeOpened: b.now()}); err != nil {
		log.Warn("could not note the Home tab was opened", keyErr, err)
	}
	b.publishHome(ctx, log, ev.User, nil)
}

// homeChanged republishes userID's Home tab after something it shows
// changed, if they have ever opened it (for everyone else it would be
// wasted calls).
func (b *Bot) homeChanged(ctx context.Context, log *slog.Logger, userID string) {
	u, err := b.store.User(ctx, userID)
	if err != nil || u.HomeOpened.IsZero() {
		return
	}
	b.publishHome(ctx, log, userID, nil)
}

// publishHome builds and publishes userID's Home tab. tip, if set, replaces
// the tip of the day (after "Another tip").
func (b *Bot) publishHome(ctx context.Context, log *slog.Logger, userID string, tip *prompts.Answer) {
	view, err := b.homeView(ctx, userID, tip)
	if err != nil {
		log.Error("could not build the Home tab", keyErr, err)
		return
	}
	if _, err := b.api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: userID, View: view}); err != nil {
		log.Warn("could not publish the Home tab", keyErr, slackErrorCode(err))
	}
}

func (b *Bot) homeView(ctx context.Context, userID string, tip *prompts.Answer) (slack.HomeTabViewRequest, error) {
	u, err := b.store.User(ctx, userID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return slack.HomeTabViewRequest{}, err
	}
	loc := calendar.LoadLocation(u.TZ)
	now := b.now()
	sub, err := b.store.Subscription(ctx, userID)
	subscribed := err == nil
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return slack.HomeTabViewRequest{}, err
	}
	ds, err := b.store.DeliveriesSince(ctx, userID, calendar.WeekOf(now, loc).Start(loc).AddDate(0, 0, -7*53))
	if err != nil {
		return slack.HomeTabViewRequest{}, err
	}
	replies, err := b.store.RecentReplies(ctx, userID, homeReflections)
	if err != nil {
		return slack.HomeTabViewRequest{}, err
	}
	p := summarise(ds, now, loc)

	blocks := []slack.Block{
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "Lead Coach", false, false)),
		section("Small, concrete challenges for your first months as a manager, and a place to see how it is going."),
		slack.NewDividerBlock(),
	}
	// Subscription and its buttons.
	var status string
	var buttons []slack.BlockElement
	switch {
	case !subscribed || sub.Status == storage.StatusStopped:
		status = "*Nudges:* off. Start them and you get one small challenge by DM on Monday, Wednesday and Friday at 09:30 your time (you can change it)."
		start := button(actionHomeStart, "Start nudges", "start")
		start.Style = slack.StylePrimary
		buttons = append(buttons, start)
	case sub.Status == storage.StatusPaused:
		status = fmt.Sprintf("*Nudges:* paused %s. Schedule: %s.", pausedWords(sub, loc), scheduleWords(sub, loc))
		buttons = append(buttons, button(actionHomeResume, "Resume", "resume"), button(actionHomeSchedule, "Change schedule", "schedule"))
	default:
		status = fmt.Sprintf("*Nudges:* %s.\n*Next:* %s.", scheduleWords(sub, loc), formatWhen(sub.NextAt, loc))
		buttons = append(buttons, button(actionHomePause, "Pause", "pause"), button(actionHomeSchedule, "Change schedule", "schedule"))
	}
	blocks = append(blocks, section(status), slack.NewActionBlock("home_subscription", buttons...))

	// This week, the streak, totals per kind.
	blocks = append(blocks, slack.NewDividerBlock(), section("*This week*\n"+b.weekLines(p.thisWeek, loc)))
	streak := "No streak yet: mark a nudge *Done* this week to start one."
	if p.streak > 0 {
		streak = fmt.Sprintf(":fire: *%d %s in a row* with at least one nudge done.", p.streak, plural(p.streak, "week", "weeks"))
	}
	blocks = append(blocks, section(streak))
	if totals := kindLines(b.lib, p.perKind); totals != "" {
		blocks = append(blocks, section("*By kind of challenge*\n"+totals))
	}
	// The last reflections, escaped: they are the user's own words.
	if len(replies) > 0 {
		var lines []string
		for _, r := range replies {
			lines = append(lines, fmt.Sprintf("> %s  _%s_", escape(clip(strings.Join(strings.Fields(r.Text), " "), 180)), r.CreatedAt.In(loc).Format("2 Jan")))
		}
		blocks = append(blocks, slack.NewDividerBlock(), section("*Your last reflections*\n"+strings.Join(lines, "\n")))
	}
	// Tip of the day.
	if tip == nil {
		a := b.tipOfTheDay(userID, now, loc)
		tip = &a
	}
	blocks = append(blocks, slack.NewDividerBlock(),
		section("*Tip of the day*\n:bulb: "+escape(tip.Tip.Text)),
		contextLine(fmt.Sprintf("%s · from _%s_", escape(tip.Topic.Title), escape(tip.Tip.Source.Title))),
		slack.NewActionBlock("home_tip", button(actionHomeTip, "Another tip", tip.Tip.ID)),
		contextLine("Everything else, from team prompts to exporting your data: `/lead-tip help`."),
	)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}, nil
}

func (b *Bot) weekLines(ds []storage.Delivery, loc *time.Location) string {
	if len(ds) == 0 {
		return "Nothing yet this week."
	}
	var lines []string
	for _, d := range ds {
		title := d.NudgeID
		if n, ok := b.lib.Nudge(d.NudgeID); ok {
			title = n.Title
		}
		lines = append(lines, fmt.Sprintf("• %s %s: %s", d.ClaimedAt.In(loc).Format("Mon"), escape(title), outcomeWords(d)))
	}
	return strings.Join(lines, "\n")
}

func kindLines(lib *prompts.Library, per map[string]*kindTotals) string {
	var kinds []string
	for k, t := range per {
		if t.done+t.notYet+t.skipped > 0 {
			kinds = append(kinds, k)
		}
	}
	order := map[string]int{}
	for i, k := range nudgeKinds(lib) {
		order[k] = i
	}
	sort.Slice(kinds, func(i, j int) bool { return order[kinds[i]] < order[kinds[j]] })
	var lines []string
	for _, k := range kinds {
		t := per[k]
		lines = append(lines, "• "+kindTitle(k)+": "+digestOutcomes(t.done, t.notYet, t.skipped, 0))
	}
	return strings.Join(lines, "\n")
}

// kindTitle turns a kind id into words: "ask-feedback" → "Ask feedback".
func kindTitle(kind string) string {
	s := strings.ReplaceAll(kind, "-", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// counted is n followed by the noun's singular or plural: "1 nudge",
// "2 replies", "0 replies".
func counted(n int, one, many string) string {
	return strconv.Itoa(n) + " " + plural(n, one, many)
}

// tipOfTheDay is the same for a user all day, and changes each day. It is
// one of the tips for managers, never one for people not yet managing.
func (b *Bot) tipOfTheDay(userID string, now time.Time, loc *time.Location) prompts.Answer {
	h := fnv.New32a()
	h.Write([]byte(userID + now.In(loc).Format("2006-01-02")))
	tips := b.lib.ManagerTips()
	tip := tips[int(h.Sum32()%uint32(len(tips)))]
	topic, _ := b.lib.Topic(tip.Topic)
	return prompts.Answer{Tip: tip, Topic: topic, Matched: true}
}

// homeButton handles the Home tab's buttons. Each acts on the presser's own
// subscription only.
func (b *Bot) homeButton(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback, act *slack.BlockAction) {
	user := cb.User.ID
	sc := slack.SlashCommand{UserID: user, TeamID: cb.Team.ID}
	switch act.ActionID {
	case actionHomeStart:
		b.subscribe(ctx, log, sc, command{verb: verbStart})
	case actionHomePause:
		b.pause(ctx, log, sc, command{verb: verbPause})
	case actionHomeResume:
		b.resume(ctx, log, sc)
	case actionHomeSchedule:
		b.openScheduleModal(ctx, log, cb)
		return
	case actionHomeTip:
		h := b.tipHistory(ctx, log, user)
		a := b.lib.Fresh(user, h.count)
		if a.Tip.ID == act.Value { // never the tip already on screen
			h.times[a.Tip.ID]++
			a = b.lib.Fresh(user, h.count)
		}
		b.shown(ctx, log, user, a)
		b.publishHome(ctx, log, user, &a)
		return
	}
	b.publishHome(ctx, log, user, nil)
}
