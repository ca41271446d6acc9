package slackfake

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// Button is an interactive button found in blocks.
type Button struct {
	ActionID string
	// Text is the button's label.
	Text    string
	Value   string
	URL     string
	Style   string
	BlockID string
}

// keyRank orders block keys so text comes out in reading order; other keys
// follow alphabetically.
func keyRank(k string) int {
	switch k {
	case "title":
		return 0
	case "label":
		return 1
	case "text":
		return 2
	case "fields":
		return 3
	case "elements":
		return 4
	case "element":
		return 5
	case "accessory":
		return 6
	case "initial_option":
		return 7
	case "placeholder":
		return 8
	}
	return 9
}

// hiddenKey reports whether key of an object of type typ holds text the
// user does not see until acting: confirm dialogs and the options of
// menus.
func hiddenKey(typ, key string) bool {
	if key == "confirm" {
		return true
	}
	if key != "options" && key != "option_groups" {
		return false
	}
	switch typ {
	case "static_select", "multi_static_select", "overflow", "external_select", "multi_external_select":
		return true
	}
	return false
}

// VisibleText returns the text a user sees in a message: text followed by the
// texts in blocks (section text and fields, headers, context elements,
// button labels, rich text…), one per line. Blocks that are not valid JSON
// are ignored.
func VisibleText(text string, blocks json.RawMessage) string {
	var parts []string
	if strings.TrimSpace(text) != "" {
		parts = append(parts, text)
	}
	var v any
	if len(blocks) > 0 && json.Unmarshal(blocks, &v) == nil {
		walkJSON(v, "", func(obj map[string]any, _ string) {
			if t, ok := obj["text"].(string); ok && strings.TrimSpace(t) != "" {
				parts = append(parts, t)
			}
		})
	}
	return strings.Join(parts, "\n")
}

// Buttons returns the buttons in blocks, in reading order; nil when blocks
// are not valid JSON.
func Buttons(blocks json.RawMessage) []Button {
	var v any
	if len(blocks) == 0 || json.Unmarshal(blocks, &v) != nil {
		return nil
	}
	var out []Button
	walkJSON(v, "", func(obj map[string]any, blockID string) {
		if obj["type"] != "button" {
			return
		}
		b := Button{BlockID: blockID}
		b.ActionID, _ = obj["action_id"].(string)
		b.Value, _ = obj["value"].(string)
		b.URL, _ = obj["url"].(string)
		b.Style, _ = obj["style"].(string)
		if t, ok := obj["text"].(map[string]any); ok {
			b.Text, _ = t["text"].(string)
		}
		out = append(out, b)
	})
	return out
}

// walkJSON calls fn for every object in v, depth first in reading order,
// with the block_id of the innermost enclosing block.
func walkJSON(v any, blockID string, fn func(obj map[string]any, blockID string)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkJSON(e, blockID, fn)
		}
	case map[string]any:
		if id, ok := x["block_id"].(string); ok {
			blockID = id
		}
		fn(x, blockID)
		typ, _ := x["type"].(string)
		for _, k := range orderedKeys(x) {
			if hiddenKey(typ, k) {
				continue
			}
			walkJSON(x[k], blockID, fn)
		}
	}
}

func orderedKeys(m map[string]any) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if r := cmp.Compare(keyRank(a), keyRank(b)); r != 0 {
			return r
		}
		return strings.Compare(a, b)
	})
	return keys
}
