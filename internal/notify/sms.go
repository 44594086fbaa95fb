package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// SMSGateway sends SMS by POSTing JSON to one HTTP endpoint; the package
// documentation describes the request. It is safe for concurrent use.
type SMSGateway struct {
	url    string
	token  string
	client *http.Client
}

// NewSMSGateway checks the gateway URL (PARAPH_SMS_URL) and returns a
// sender. token, when set, is sent as "Authorization: Bearer <token>". A nil
// client means one with a 30-second timeout, so a hung gateway cannot hold a
// job worker forever.
func NewSMSGateway(rawURL, token string, client *http.Client) (*SMSGateway, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // url.Error quotes the URL, which may carry a key
		}
		return nil, fmt.Errorf("notify: SMS gateway URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, errors.New("notify: SMS gateway URL: scheme must be https or http")
	}
	if u.Host == "" {
		return nil, errors.New("notify: SMS gateway URL: host is missing")
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &SMSGateway{url: u.String(), token: token, client: client}, nil
}

// smsRequest is the JSON body the gateway receives.
type smsRequest struct {
	To             string `json:"to"`
	Text           string `json:"text"`
	IdempotencyKey string `json:"idempotency_key"`
}

// Send posts one SMS. 2xx is success; 4xx other than 408 and 429 is
// ErrPermanent; 5xx, 408, 429 and network errors are temporary.
func (g *SMSGateway) Send(ctx context.Context, m Message) error {
	if m.Channel != SMS {
		return permanent(fmt.Errorf("notify: SMS gateway: cannot send a %q message", m.Channel))
	}
	if !isE164(m.To) {
		return permanent(fmt.Errorf("notify: SMS gateway: %q is not an E.164 phone number like +79123456789", m.To))
	}
	if strings.TrimSpace(m.Body) == "" {
		return permanent(errors.New("notify: SMS gateway: empty text"))
	}
	body, err := json.Marshal(smsRequest{To: m.To, Text: m.Body, IdempotencyKey: m.IdempotencyKey})
	if err != nil {
		return fmt.Errorf("notify: SMS gateway: encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("notify: SMS gateway: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if g.token != "" {
		req.Header.Set("Authorization", "Bearer "+g.token)
	}
	resp, err := g.client.Do(req)
	if err != nil {
		// *url.Error names the URL; the error stays temporary on purpose.
		return fmt.Errorf("notify: SMS gateway: send to %s: %w", m.To, err)
	}
	defer resp.Body.Close()
	// Keep a little of the reply for the log; drain the rest (bounded) so the
	// connection can be reused.
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))

	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	err = fmt.Errorf("notify: SMS gateway: send to %s: %s: %s",
		m.To, resp.Status, strings.TrimSpace(string(bytes.ToValidUTF8(snippet, []byte("?")))))
	switch {
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests:
		return err // the gateway asks to come back later
	case resp.StatusCode >= 400 && resp.StatusCode <= 499:
		return permanent(err)
	default:
		return err
	}
}

// isE164 reports whether s is "+" and 7 to 15 digits, the first not zero.
func isE164(s string) bool {
	digits, ok := strings.CutPrefix(s, "+")
	if !ok || len(digits) < 7 || len(digits) > 15 || digits[0] == '0' {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
