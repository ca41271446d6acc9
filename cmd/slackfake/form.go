package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// clockLike is a time of day as a time picker holds it, "08:45".
var clockLike = regexp.MustCompile(`^\d{1,2}:\d{2}$`)

// formBlock is what fillForm reads of a modal's input block.
type formBlock struct {
	Type    string `json:"type"`
	BlockID string `json:"block_id"`
	Element struct {
		Type     string `json:"type"`
		ActionID string `json:"action_id"`
		Options  []struct {
			Text  struct{ Text string } `json:"text"`
			Value string                `json:"value"`
		} `json:"options"`
	} `json:"element"`
}

// fillForm answers the inputs of view, a modal, from words, the way a
// person would fill it in: a word such as 08:45 sets a time picker; words
// (or comma-separated parts of them) that begin an option's label tick it
// in checkboxes, or choose it in radio buttons and selects ("mon,thu"
// ticks Monday and Thursday); the words left over fill a text input. An
// input nothing fits is left empty, for the bot to refuse as Slack would
// let it. It returns the view's state values, block id to action id to
// state, or an error if view cannot be read.
func fillForm(view json.RawMessage, words []string) (map[string]map[string]any, error) {
	var v struct {
		Blocks []formBlock `json:"blocks"`
	}
	if err := json.Unmarshal(view, &v); err != nil {
		return nil, fmt.Errorf("read the form: %w", err)
	}
	var clock string
	var parts []string // words that may name options
	for _, w := range words {
		if clockLike.MatchString(w) && clock == "" {
			clock = w
			continue
		}
		parts = append(parts, w)
	}
	used := map[string]bool{}
	values := map[string]map[string]any{}
	var texts []formBlock
	for _, b := range v.Blocks {
		if b.Type != "input" {
			continue
		}
		el := b.Element
		state := map[string]any{"type": el.Type}
		switch el.Type {
		case "timepicker":
			if len(clock) == 4 {
				clock = "0" + clock // 8:45 → 08:45, as the picker holds it
			}
			if clock != "" {
				state["selected_time"] = clock
			}
		case "checkboxes", "radio_buttons", "static_select":
			var chosen []map[string]any
			for _, o := range el.Options {
				if w := optionWord(o.Text.Text, parts); w != "" {
					used[w] = true
					chosen = append(chosen, map[string]any{"value": o.Value, "text": map[string]any{"type": "plain_text", "text": o.Text.Text}})
				}
			}
			switch {
			case el.Type == "checkboxes":
				state["selected_options"] = chosen
			case len(chosen) > 0:
				state["selected_option"] = chosen[0]
			}
		case "plain_text_input":
			texts = append(texts, b)
		}
		values[b.BlockID] = map[string]any{el.ActionID: state}
	}
	var left []string
	for _, w := range parts {
		if !used[w] {
			left = append(left, w)
		}
	}
	for _, b := range texts {
		values[b.BlockID][b.Element.ActionID].(map[string]any)["value"] = strings.Join(left, " ")
	}
	return values, nil
}

// optionWord returns the word of words, or comma-separated part of one,
// that begins label (at least two letters, any case), or "". The whole
// word is returned, so that fillForm knows it was used.
func optionWord(label string, words []string) string {
	label = strings.ToLower(label)
	for _, w := range words {
		for part := range strings.SplitSeq(w, ",") {
			if part = strings.ToLower(strings.TrimSpace(part)); len(part) >= 2 && strings.HasPrefix(label, part) {
				return w
			}
		}
	}
	return ""
}
