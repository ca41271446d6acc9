package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
)

// SubmitView sends the view_submission interaction Slack sends when userID
// presses a modal's submit button. view is the view as views.open
// answered it (its id, callback_id and blocks are sent back); values is
// the form's state, block id to action id to the element's state, such as
// {"time": {"time": {"type": "timepicker", "selected_time": "08:45"}}}.
// The bot's answer (errors to show, or nothing to close the modal) is the
// envelope's Ack.Payload. It returns the envelope id, or an error if view
// is not a JSON object.
func (s *Server) SubmitView(ctx context.Context, userID string, view json.RawMessage, values map[string]map[string]any) (string, error) {
	var v map[string]any
	if err := json.Unmarshal(view, &v); err != nil || v == nil {
		return "", fmt.Errorf("submit view: the view is not a JSON object: %v", err)
	}
	if _, ok := v["type"]; !ok {
		v["type"] = "modal"
	}
	v["state"] = map[string]any{"values": values}
	userID = orDefault(userID, DefaultUserID)
	return s.SendInteraction(ctx, map[string]any{
		"type": "view_submission",
		"user": map[string]any{"id": userID, "username": s.userName(userID), "name": s.userName(userID), "team_id": s.opts.TeamID},
		"view": v,
	})
}
