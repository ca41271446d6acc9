package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// The profile: what a manager tells the bot about their situation, all of
// it optional and changeable, asked in a modal opened by `/lead-tip
// profile`, by the button under the answer to `/lead-tip start`, and from
// the Home tab. The programme (rotation.go) reads it: when they became a
// manager sets the phase of their first 90 days, leading former peers
// brings the nudges for that, and having managed before starts at harder
// nudges. Team size is kept and shown back, for them and their export.
const (
	callbackProfileModal = "profile_modal"
	actionProfileOpen    = "profile_open"
	blockStarted         = "started"
	blockFormerPeers     = "former_peers"
	blockFirstTime       = "first_time"
	blockTeamSize        = "team_size"
)

// startedRange is one answer to "when did you become a manager?": a span
// of days ago (from inclusive, to exclusive) and the day stored for it.
type startedRange struct {
	value, label string
	from, to     int // days ago
	stored       int // days ago stored when it is picked
}

var startedRanges = []startedRange{
	{"soon", "Not yet: I start soon", -1 << 20, 0, -7},
	{"week", "This week", 0, 7, 3},
	{"month", "2–4 weeks ago", 7, 28, 17},
	{"2months", "1–2 months ago", 28, 61, 45},
	{"3months", "2–3 months ago", 61, 91, 75},
	{"6months", "3–6 months ago", 91, 183, 135},
	{"year", "6–12 months ago", 183, 365, 270},
	{"longer", "More than a year ago", 365, 1 << 20, 540},
}

// teamSizes are the answers to "how many people report to you?", stored
// as the largest of each span.
var teamSizes = []struct {
	value, label string
	size         int
}{{"3", "1 to 3", 3}, {"7", "4 to 7", 7}, {"12", "8 to 12", 12}, {"13", "13 or more", 13}}

// daysAgo returns how many whole days before now t was.
func daysAgo(t, now time.Time) int { return int(now.Sub(t).Hours() / 24) }

// startedRangeOf returns the range the stored start day falls in.
func startedRangeOf(started, now time.Time) (startedRange, bool) {
	if started.IsZero() {
		return startedRange{}, false
	}
	ago := daysAgo(started, now)
	for _, r := range startedRanges {
		if ago >= r.from && ago < r.to {
			return r, true
		}
	}
	return startedRange{}, false
}

// profileCommand opens the profile modal for /lead-tip profile. It answers
// only if the modal could not be opened.
func (b *Bot) profileCommand(ctx context.Context, log *slog.Logger, who person, triggerID string) message {
	b.user(ctx, log, who.id, who.team)
	if err := b.openProfileModal(ctx, log, who.id, triggerID); err != nil {
		return textMessage("I could not open the form just now. The *Your situation* button on my Home tab opens it too.")
	}
	return message{}
}

// openProfileModal opens the profile modal, filled in with what userID
// said before.
func (b *Bot) openProfileModal(ctx context.Context, log *slog.Logger, userID, triggerID string) error {
	p, err := b.store.Profile(ctx, userID)
	if err != nil {
		log.Warn("could not read the profile; opening it empty", keyErr, err)
	}
	view := profileModal(p, b.now())
	if _, err := b.api.OpenViewContext(ctx, triggerID, view); err != nil {
		log.Warn("could not open the profile modal", keyErr, slackErrorCode(err))
		return err
	}
	return nil
}

func option(value, label string) *slack.OptionBlockObject {
	return slack.NewOptionBlockObject(value, slack.NewTextBlockObject(slack.PlainTextType, label, false, false), nil)
}

func optionalInput(id, label string, el slack.BlockElement) *slack.InputBlock {
	in := slack.NewInputBlock(id, slack.NewTextBlockObject(slack.PlainTextType, label, false, false), nil, el)
	in.Optional = true
	return in
}

// profileModal is the form: four optional questions, with p's answers.
func profileModal(p storage.Profile, now time.Time) slack.ModalViewRequest {
	var started []*slack.OptionBlockObject
	for _, r := range startedRanges {
		started = append(started, option(r.value, r.label))
	}
	when := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic,
		slack.NewTextBlockObject(slack.PlainTextType, "Pick one", false, false), blockStarted, started...)
	if r, ok := startedRangeOf(p.StartedOn, now); ok {
		when.InitialOption = option(r.value, r.label)
	}
	yesNo := func(id string, a storage.Answer) *slack.RadioButtonsBlockElement {
		el := slack.NewRadioButtonsBlockElement(id, option("yes", "Yes"), option("no", "No"))
		switch a {
		case storage.Yes:
			el.InitialOption = option("yes", "Yes")
		case storage.No:
			el.InitialOption = option("no", "No")
		}
		return el
	}
	var sizes []*slack.OptionBlockObject
	for _, s := range teamSizes {
		sizes = append(sizes, option(s.value, s.label))
	}
	size := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic,
		slack.NewTextBlockObject(slack.PlainTextType, "Pick one", false, false), blockTeamSize, sizes...)
	for _, s := range teamSizes {
		if p.TeamSize > 0 && p.TeamSize <= s.size {
			size.InitialOption = option(s.value, s.label)
			break
		}
	}
	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackProfileModal,
		Title:      slack.NewTextBlockObject(slack.PlainTextType, "Your situation", false, false),
		Submit:     slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Close:      slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			section("Every question is optional. Your answers shape the order of your nudges: the first 90 days go from listening " +
				"and expectations, to handing work over and feedback, to hard conversations and priorities. Change them any time."),
			optionalInput(blockStarted, "When did you become a manager?", when),
			optionalInput(blockFormerPeers, "Do you now lead people who were your peers?", yesNo(blockFormerPeers, p.FormerPeers)),
			optionalInput(blockFirstTime, "Is this your first time managing people?", yesNo(blockFirstTime, p.FirstTime)),
			optionalInput(blockTeamSize, "How many people report to you?", size),
		}},
	}
}

// readProfileForm reads the modal's state into a profile for userID,
// keeping the stored start day when the range picked still holds it (so
// saving the form again does not move it). It returns field errors by
// block id for a value that is not one of the options.
func readProfileForm(state *slack.ViewState, before storage.Profile, now time.Time) (storage.Profile, map[string]string) {
	p := storage.Profile{UserID: before.UserID}
	errs := map[string]string{}
	if state == nil {
		return p, errs
	}
	selected := func(block string) string {
		v := state.Values[block][block]
		if v.SelectedOption.Value != "" {
			return v.SelectedOption.Value
		}
		return ""
	}
	if v := selected(blockStarted); v != "" {
		found := false
		for _, r := range startedRanges {
			if r.value != v {
				continue
			}
			found = true
			if cur, ok := startedRangeOf(before.StartedOn, now); ok && cur.value == v {
				p.StartedOn = before.StartedOn
			} else {
				p.StartedOn = midnightUTC(now.AddDate(0, 0, -r.stored))
			}
		}
		if !found {
			errs[blockStarted] = "Please pick one of the options."
		}
	}
	for _, q := range []struct {
		block string
		dst   *storage.Answer
	}{{blockFormerPeers, &p.FormerPeers}, {blockFirstTime, &p.FirstTime}} {
		switch selected(q.block) {
		case "":
		case "yes":
			*q.dst = storage.Yes
		case "no":
			*q.dst = storage.No
		default:
			errs[q.block] = "Please pick Yes or No, or leave it empty."
		}
	}
	if v := selected(blockTeamSize); v != "" {
		errs[blockTeamSize] = "Please pick one of the options."
		for _, s := range teamSizes {
			if s.value == v {
				p.TeamSize = s.size
				delete(errs, blockTeamSize)
			}
		}
	}
	return p, errs
}

func midnightUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// profileSubmitted stores the modal's answers. The submission is
// acknowledged once they are stored (an empty answer closes the form);
// when they cannot be, the form stays open saying so.
func (b *Bot) profileSubmitted(ctx context.Context, log *slog.Logger, env *socket.Envelope, cb slack.InteractionCallback) {
	who := person{cb.User.ID, cb.Team.ID}
	before, err := b.store.Profile(ctx, who.id)
	if err != nil {
		log.Error("could not read the profile", keyErr, err)
		env.Ack(slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: map[string]string{blockStarted: msgNotSaved}})
		return
	}
	p, errs := readProfileForm(cb.View.State, before, b.now())
	if len(errs) > 0 {
		log.Info("profile modal rejected", keyFields, len(errs))
		env.Ack(slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: errs})
		return
	}
	b.user(ctx, log, who.id, who.team)
	if err := b.store.SaveProfile(ctx, p); err != nil {
		log.Error("could not save the profile", keyErr, err)
		env.Ack(slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: map[string]string{blockStarted: msgNotSaved}})
		return
	}
	env.Ack(nil)
	log.Info("profile saved", keyStarted, !p.StartedOn.IsZero(), keyFormerPeers, p.FormerPeers, keyFirstTime, p.FirstTime)
	b.homeChanged(ctx, log, who.id)
}

// profileWords says back what the user told the bot: "became a manager
// 2–4 weeks ago · leads former peers · first time managing · team of 4
// to 7". It is "" if they said nothing.
func profileWords(p storage.Profile, now time.Time) string {
	var parts []string
	if r, ok := startedRangeOf(p.StartedOn, now); ok {
		if r.value == "soon" {
			parts = append(parts, "starts as a manager soon")
		} else {
			parts = append(parts, "became a manager "+strings.ToLower(r.label[:1])+r.label[1:])
		}
	}
	switch p.FormerPeers {
	case storage.Yes:
		parts = append(parts, "leads former peers")
	case storage.No:
		parts = append(parts, "new team, not former peers")
	}
	switch p.FirstTime {
	case storage.Yes:
		parts = append(parts, "first time managing")
	case storage.No:
		parts = append(parts, "has managed before")
	}
	for _, s := range teamSizes {
		if p.TeamSize > 0 && p.TeamSize <= s.size {
			parts = append(parts, "team of "+s.label)
			break
		}
	}
	return strings.Join(parts, " · ")
}

// profileButton is the button that opens the profile modal.
func profileButton(p storage.Profile) *slack.ButtonBlockElement {
	if p.UpdatedAt.IsZero() {
		return button(actionProfileOpen, "Tell me about your situation", "profile")
	}
	return button(actionProfileOpen, "Change your situation", "profile")
}

// profileBlocks is the Home tab's section on the profile.
func profileBlocks(p storage.Profile, now time.Time) []slack.Block {
	text := "*Your situation:* not told yet. Two or three answers, all optional, fit your nudges to where you are: " +
		"when you became a manager, whether you lead former peers, whether you have managed before."
	if w := profileWords(p, now); w != "" {
		text = "*Your situation:* " + w + "."
	} else if !p.UpdatedAt.IsZero() {
		text = "*Your situation:* you left every question open, and that is fine."
	}
	return []slack.Block{section(text), slack.NewActionBlock("home_profile", profileButton(p))}
}

// errNoTrigger is a profile button press without a trigger to open a
// modal with.
var errNoTrigger = errors.New("no trigger id")

// profileButtonPressed opens the modal from a button (Home tab, or the
// answer to /lead-tip start).
func (b *Bot) profileButtonPressed(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback) {
	if cb.TriggerID == "" {
		log.Warn("profile button without a trigger", keyErr, errNoTrigger)
		return
	}
	if err := b.openProfileModal(ctx, log, cb.User.ID, cb.TriggerID); err != nil && cb.ResponseURL != "" {
		if err := b.respond(ctx, cb.ResponseURL, textMessage(fmt.Sprintf("I could not open the form just now. `/lead-tip %s` opens it too.", verbProfile))); err != nil {
			log.Warn("could not answer", keyErr, err)
		}
	}
}
