package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// gatewayRequest is what the fake SMS provider saw.
type gatewayRequest struct {
	Method, ContentType, Authorization string
	Body                               map[string]any
}

// MustStartGateway runs a fake SMS provider answering with status; it is
// the one piece of the outside world these tests fake.
func MustStartGateway(tb testing.TB, status int) (*httptest.Server, func() []gatewayRequest) {
	tb.Helper()
	var mu sync.Mutex
	var seen []gatewayRequest
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			tb.Errorf("gateway: body is not JSON: %v: %s", err, raw)
		}
		mu.Lock()
		seen = append(seen, gatewayRequest{r.Method, r.Header.Get("Content-Type"), r.Header.Get("Authorization"), body})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"error":"as configured by the test"}`)
	}))
	tb.Cleanup(srv.Close)
	return srv, func() []gatewayRequest {
		mu.Lock()
		defer mu.Unlock()
		return append([]gatewayRequest(nil), seen...)
	}
}

func testSMS() Message {
	return Message{
		Channel:        SMS,
		To:             "+79123456789",
		Body:           "Paraph: код 123456, действует 10 мин. Никому не сообщайте.",
		IdempotencyKey: "confirm:01J00000000000000000000000",
	}
}

func TestSMSGatewaySends(t *testing.T) {
	srv, seen := MustStartGateway(t, http.StatusAccepted)
	g, err := NewSMSGateway(srv.URL+"/send", "t0ken", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), testSMS()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	reqs := seen()
	if len(reqs) != 1 {
		t.Fatalf("gateway got %d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != http.MethodPost || r.ContentType != "application/json" || r.Authorization != "Bearer t0ken" {
		t.Errorf("request: %s, Content-Type %q, Authorization %q", r.Method, r.ContentType, r.Authorization)
	}
	want := map[string]any{"to": "+79123456789", "text": testSMS().Body, "idempotency_key": testSMS().IdempotencyKey}
	if len(r.Body) != len(want) {
		t.Errorf("body has fields %v, want exactly %v", r.Body, want)
	}
	for k, v := range want {
		if r.Body[k] != v {
			t.Errorf("body[%q] = %v, want %v", k, r.Body[k], v)
		}
	}
}

func TestSMSGatewayWithoutToken(t *testing.T) {
	srv, seen := MustStartGateway(t, http.StatusOK)
	g, err := NewSMSGateway(srv.URL, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Send(context.Background(), testSMS()); err != nil {
		t.Fatal(err)
	}
	if auth := seen()[0].Authorization; auth != "" {
		t.Errorf("Authorization = %q, want none without a token", auth)
	}
}

func TestSMSGatewayStatuses(t *testing.T) {
	tests := []struct {
		status        int
		wantErr       bool
		wantPermanent bool
	}{
		{http.StatusOK, false, false},
		{http.StatusNoContent, false, false},
		{http.StatusBadRequest, true, true},
		{http.StatusUnauthorized, true, true},
		{http.StatusUnprocessableEntity, true, true},
		{http.StatusRequestTimeout, true, false},
		{http.StatusTooManyRequests, true, false},
		{http.StatusInternalServerError, true, false},
		{http.StatusBadGateway, true, false},
		{http.StatusServiceUnavailable, true, false},
	}
	for _, tt := range tests {
		srv, _ := MustStartGateway(t, tt.status)
		g, err := NewSMSGateway(srv.URL, "t", srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		err = g.Send(context.Background(), testSMS())
		if (err != nil) != tt.wantErr {
			t.Errorf("%d: error %v, want error: %v", tt.status, err, tt.wantErr)
			continue
		}
		if got := errors.Is(err, ErrPermanent); got != tt.wantPermanent {
			t.Errorf("%d: permanent = %v, want %v (%v)", tt.status, got, tt.wantPermanent, err)
		}
		if err != nil && !strings.Contains(err.Error(), "as configured by the test") {
			t.Errorf("%d: error should quote the gateway's reply: %v", tt.status, err)
		}
	}
}

func TestSMSGatewayNetworkErrorIsTemporary(t *testing.T) {
	srv, _ := MustStartGateway(t, http.StatusOK)
	url := srv.URL
	srv.Close() // nothing listens there any more
	g, err := NewSMSGateway(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	err = g.Send(context.Background(), testSMS())
	if err == nil || errors.Is(err, ErrPermanent) {
		t.Errorf("network error should be temporary, got %v", err)
	}
}

func TestSMSGatewayHonoursContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	g, err := NewSMSGateway(srv.URL, "", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = g.Send(ctx, testSMS())
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrPermanent) {
		t.Errorf("want a temporary deadline error, got %v", err)
	}
}

func TestSMSGatewayChecksTheMessage(t *testing.T) {
	srv, seen := MustStartGateway(t, http.StatusOK)
	g, err := NewSMSGateway(srv.URL, "", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	bad := []Message{
		{Channel: SMS, To: "89123456789", Body: "x"},       // no "+"
		{Channel: SMS, To: "+7 912 345", Body: "x"},        // spaces
		{Channel: SMS, To: "+0123456789", Body: "x"},       // no country starts with 0
		{Channel: SMS, To: "+7912345678901234", Body: "x"}, // over 15 digits
		{Channel: SMS, To: "+79123456789", Body: "  "},
		{Channel: Email, To: "+79123456789", Body: "x"},
	}
	for _, m := range bad {
		if err := g.Send(context.Background(), m); !errors.Is(err, ErrPermanent) {
			t.Errorf("%+v: want ErrPermanent, got %v", m, err)
		}
	}
	if n := len(seen()); n != 0 {
		t.Errorf("gateway got %d requests for invalid messages, want 0", n)
	}
}

func TestNewSMSGateway(t *testing.T) {
	tests := []struct{ url, wantErr string }{
		{"https://sms.example.com/api/send", ""},
		{"http://127.0.0.1:8080/sms", ""},
		{"ftp://sms.example.com", "scheme must be https or http"},
		{"sms.example.com/send", "scheme must be https or http"},
		{"https://", "host is missing"},
		{"https://sms.example.com:bad/?key=s3cret", "notify: SMS gateway URL"},
	}
	for _, tt := range tests {
		_, err := NewSMSGateway(tt.url, "", nil)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("NewSMSGateway(%q): %v", tt.url, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("NewSMSGateway(%q): error %v, want one containing %q", tt.url, err, tt.wantErr)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("NewSMSGateway(%q): error leaks the URL: %v", tt.url, err)
		}
	}
}
