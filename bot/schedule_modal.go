package bot

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leadcoach/leadbot/bot/calendar"
	"github.com/leadcoach/leadbot/bot/socket"
	"github.com/leadcoach/leadbot/storage"
)

// The schedule modal's ids.
const (
	callbackScheduleModal = "schedule_modal"
	blockDays             = "days"
	blockTime             = "time"
)

// openScheduleModal opens the "Change schedule" modal: day checkboxes and a
// time picker, filled in with the current schedule.
func (b *Bot) openScheduleModal(ctx context.Context, log *slog.Logger, cb slack.InteractionCallback) {
	days, minute := defaultDays, defaultMinute
	switch sub, err := b.store.Subscription(ctx, cb.User.ID); {
	case err == nil && sub.Status != storage.StatusStopped:
		days, minute = calendar.Days(sub.Days), sub.Minute
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		log.Warn("could not read the schedule to fill in the form; showing the default", keyErr, err)
	}
	timeLabel := "Time (your timezone)"
	switch u, err := b.store.User(ctx, cb.User.ID); {
	case err == nil && u.TZ != "":
		timeLabel = "Time (" + calendar.LoadLocation(u.TZ).String() + ")"
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		log.Warn("could not read the timezone to fill in the form", keyErr, err)
	}
	var options, initial []*slack.OptionBlockObject
	for _, d := range calendar.EveryDay.MondayFirst() {
		o := slack.NewOptionBlockObject(strconv.Itoa(int(d)), slack.NewTextBlockObject(slack.PlainTextType, d.String(), false, false), nil)
		options = append(options, o)
		if days.Has(d) {
			initial = append(initial, o)
		}
	}
	boxes := slack.NewCheckboxGroupsBlockElement(blockDays, options...)
	boxes.InitialOptions = initial
	picker := slack.NewTimePickerBlockElement(blockTime)
	picker.InitialTime = calendar.Clock(minute)
	view := slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: callbackScheduleModal,
		Title:      slack.NewTextBlockObject(slack.PlainTextType, "Your nudge schedule", false, false),
		Submit:     slack.NewTextBlockObject(slack.PlainTextType, "Save", false, false),
		Close:      slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewInputBlock(blockDays, slack.NewTextBlockObject(slack.PlainTextType, "Days", false, false), nil, boxes),
			slack.NewInputBlock(blockTime, slack.NewTextBlockObject(slack.PlainTextType, timeLabel, false, false), nil, picker),
		}},
	}
	if _, err := b.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		log.Warn("could not open the schedule modal", keyErr, slackErrorCode(err))
	}
}

// scheduleSubmitted validates the modal. Errors are sent back in the ack,
// so Slack shows them under the fields and keeps the modal open; a valid
// schedule is saved, the modal closes and the Home tab is refreshed.
func (b *Bot) scheduleSubmitted(ctx context.Context, log *slog.Logger, env *socket.Envelope, cb slack.InteractionCallback) {
	days, minute, errs := readScheduleForm(cb.View.State)
	if len(errs) > 0 {
		log.Info("schedule modal rejected", keyFields, len(errs))
		env.Ack(slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: errs})
		return
	}
	// Acknowledged once the schedule is stored: an empty answer closes the
	// form; one that cannot be stored keeps it open, saying so.
	if err := b.saveSchedule(ctx, log, person{cb.User.ID, cb.Team.ID}, days, minute); err != nil {
		log.Error("could not save the schedule", keyErr, err)
		env.Ack(slack.ViewSubmissionResponse{ResponseAction: slack.RAErrors, Errors: map[string]string{blockTime: msgNotSaved}})
		return
	}
	env.Ack(nil)
	b.publishHome(ctx, log, cb.User.ID, nil)
}

// readScheduleForm reads the modal's state. It returns field errors by
// block id for what is missing or wrong.
func readScheduleForm(state *slack.ViewState) (calendar.Days, int, map[string]string) {
	errs := map[string]string{}
	var days calendar.Days
	minute := -1
	if state != nil {
		for _, o := range state.Values[blockDays][blockDays].SelectedOptions {
			d, err := strconv.Atoi(o.Value)
			if err != nil || d < 0 || d > 6 {
				errs[blockDays] = "Please pick days from the list."
				continue
			}
			days |= 1 << d
		}
		if t := state.Values[blockTime][blockTime].SelectedTime; t != "" {
			if m, ok := calendar.ParseClock(strings.TrimSpace(t)); ok {
				minute = m
			}
		}
	}
	if days == 0 && errs[blockDays] == "" {
		errs[blockDays] = "Pick at least one day."
	}
	if minute < 0 {
		errs[blockTime] = "Pick a time, for example 09:30."
	}
	return days, minute, errs
}

// saveSchedule sets days and minute on the user's subscription, creating an
// active one if there is none, keeping a pause if there is one. It returns
// an error if it could not be stored.
func (b *Bot) saveSchedule(ctx context.Context, log *slog.Logger, who person, days calendar.Days, minute int) error {
	_, loc := b.user(ctx, log, who.id, who.team)
	sub, err := b.store.Subscription(ctx, who.id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && sub.Status == storage.StatusStopped) {
		sub = storage.Subscription{UserID: who.id, Status: storage.StatusActive, DigestOn: true}
	} else if err != nil {
		return err
	}
	now := b.now()
	sub.Days, sub.Minute = uint8(days), minute
	sub.NextAt = calendar.NextSlot(days, minute, loc, now)
	sub.DigestNextAt = nextDigest(sub, loc, now)
	if err := b.store.SaveSubscription(ctx, sub); err != nil {
		return err
	}
	log.Info("schedule changed from the Home tab", keyDays, sub.Days, keyMinute, minute)
	b.poke()
	return nil
}
