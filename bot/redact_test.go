package bot

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

func TestWithoutURL(t *testing.T) {
	const secret = "http://127.0.0.1:1/commands/T0LEAD/1234/SECRETHOOK"
	req, err := http.NewRequest(http.MethodPost, secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = http.DefaultClient.Do(req.WithContext(context.Background()))
	if err == nil || !strings.Contains(err.Error(), "SECRETHOOK") {
		t.Fatalf("the client's error %v does not hold the URL: nothing to test", err)
	}
	got := withoutURL(err)
	if strings.Contains(got.Error(), "SECRETHOOK") {
		t.Errorf("withoutURL kept the URL: %v", got)
	}
	if !strings.Contains(got.Error(), "response_url") || !strings.Contains(got.Error(), "connection refused") {
		t.Errorf("withoutURL lost what happened: %v", got)
	}
	plain := errors.New("slack server error: 404 Not Found")
	if withoutURL(plain) != plain {
		t.Error("an error without a URL was changed")
	}
	if withoutURL(nil) != nil {
		t.Error("nil became an error")
	}
}
