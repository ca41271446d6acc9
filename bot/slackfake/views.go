package slackfake

import (
	"encoding/json"
	"fmt"
	"time"
)

// triggerTTL is how long Slack accepts a trigger_id.
const triggerTTL = 3 * time.Second

// viewRec is a view the bot opened or published.
type viewRec struct {
	id, hash, externalID string
	user                 string // set for a published home view
	fields               map[string]json.RawMessage
}

// storeViewLocked merges the view JSON in raw into rec (new when nil) and
// returns the view as Slack answers it.
func (s *Server) storeViewLocked(rec *viewRec, raw string) (*viewRec, map[string]json.RawMessage, string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &fields); err != nil || fields == nil {
		return nil, nil, "invalid_arguments"
	}
	if rec == nil {
		rec = &viewRec{id: newID("V", 10)}
		s.views[rec.id] = rec
	}
	var ext string
	_ = json.Unmarshal(fields["external_id"], &ext)
	if ext != "" {
		rec.externalID = ext
	}
	rec.hash = fmt.Sprintf("%d.%s", time.Now().Unix(), newID("", 8))
	set := func(k string, v any) { fields[k], _ = json.Marshal(v) }
	set("id", rec.id)
	set("team_id", s.opts.TeamID)
	set("app_id", s.opts.AppID)
	set("bot_id", s.opts.BotID)
	set("app_installed_team_id", s.opts.TeamID)
	set("hash", rec.hash)
	set("root_view_id", rec.id)
	if _, ok := fields["state"]; !ok {
		set("state", map[string]any{"values": map[string]any{}})
	}
	rec.fields = fields
	return rec, fields, ""
}

func (s *Server) viewsPublish(r *apiRequest) (map[string]any, string) {
	user := r.params["user_id"]
	if user == "" {
		return nil, "invalid_arguments"
	}
	var rec *viewRec
	if old, ok := s.homeViews[user]; ok {
		var v struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(old, &v)
		rec = s.views[v.ID]
	}
	if hash := r.params["hash"]; hash != "" && rec != nil && hash != rec.hash {
		return nil, "hash_conflict"
	}
	rec, view, slackErr := s.storeViewLocked(rec, r.params["view"])
	if slackErr != "" {
		return nil, slackErr
	}
	rec.user = user
	s.homeViews[user], _ = json.Marshal(view)
	return map[string]any{"view": view}, ""
}

func (s *Server) viewsOpen(r *apiRequest) (map[string]any, string) {
	issued, ok := s.triggers[r.params["trigger_id"]]
	switch {
	case !ok:
		return nil, "invalid_trigger_id"
	case time.Since(issued) > triggerTTL:
		return nil, "expired_trigger_id"
	}
	_, view, slackErr := s.storeViewLocked(nil, r.params["view"])
	if slackErr != "" {
		return nil, slackErr
	}
	return map[string]any{"view": view}, ""
}

func (s *Server) viewsUpdate(r *apiRequest) (map[string]any, string) {
	rec := s.views[r.params["view_id"]]
	if rec == nil && r.params["external_id"] != "" {
		for _, v := range s.views {
			if v.externalID == r.params["external_id"] {
				rec = v
				break
			}
		}
	}
	if rec == nil {
		return nil, "not_found"
	}
	if hash := r.params["hash"]; hash != "" && hash != rec.hash {
		return nil, "hash_conflict"
	}
	_, view, slackErr := s.storeViewLocked(rec, r.params["view"])
	if slackErr != "" {
		return nil, slackErr
	}
	if rec.user != "" {
		s.homeViews[rec.user], _ = json.Marshal(view)
	}
	return map[string]any{"view": view}, ""
}
