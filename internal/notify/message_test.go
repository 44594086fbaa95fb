package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
)

// recorder is a Sender that remembers what it was given and fails with err.
type recorder struct {
	mu   sync.Mutex
	got  []Message
	fail error
}

func (r *recorder) Send(_ context.Context, m Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return r.fail
}

func TestMuxDispatchesByChannel(t *testing.T) {
	email, sms := &recorder{}, &recorder{}
	mux := Mux{Email: email, SMS: sms}
	ctx := context.Background()
	if err := mux.Send(ctx, Message{Channel: Email, To: "a@paraph.test"}); err != nil {
		t.Fatal(err)
	}
	if err := mux.Send(ctx, Message{Channel: SMS, To: "+79123456789"}); err != nil {
		t.Fatal(err)
	}
	if len(email.got) != 1 || email.got[0].To != "a@paraph.test" || len(sms.got) != 1 || sms.got[0].To != "+79123456789" {
		t.Errorf("email got %v, sms got %v", email.got, sms.got)
	}
	if err := mux.Send(ctx, Message{Channel: "pigeon"}); !errors.Is(err, ErrPermanent) {
		t.Errorf("unknown channel: want ErrPermanent, got %v", err)
	}
}

func TestMuxUnconfiguredChannel(t *testing.T) {
	var mux Mux
	err := mux.Send(context.Background(), Message{Channel: SMS, To: "+79123456789"})
	if err == nil || err.Error() != "notify: no SMS gateway configured (set PARAPH_SMS_URL)" {
		t.Errorf("SMS: got %v", err)
	}
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("SMS: want ErrPermanent")
	}
	err = mux.Send(context.Background(), Message{Channel: Email, To: "a@paraph.test"})
	if err == nil || !strings.Contains(err.Error(), "PARAPH_SMTP_URL") || !errors.Is(err, ErrPermanent) {
		t.Errorf("email: got %v", err)
	}
}

// The dev-mode wiring from the package documentation: nothing leaves the
// machine, every message reaches the dev mailbox.
func TestTeeDevMailbox(t *testing.T) {
	var mailbox []Message
	dev := Tee{
		Primary: Mux{Email: Discard{}, SMS: Discard{}},
		Copy: func(_ context.Context, m Message) error {
			mailbox = append(mailbox, m)
			return nil
		},
	}
	for _, m := range []Message{{Channel: Email, To: "a@paraph.test"}, {Channel: SMS, To: "+79123456789"}} {
		if err := dev.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if len(mailbox) != 2 {
		t.Errorf("dev mailbox got %d messages, want 2", len(mailbox))
	}
}

func TestTeeCopiesEvenWhenPrimaryFails(t *testing.T) {
	rejected := permanent(errors.New("550 no such user"))
	primary := &recorder{fail: rejected}
	copies := 0
	tee := Tee{Primary: primary, Copy: func(context.Context, Message) error { copies++; return nil }}
	err := tee.Send(context.Background(), Message{Channel: Email})
	if !errors.Is(err, ErrPermanent) || copies != 1 {
		t.Errorf("err %v, copies %d; want the primary's permanent error and one copy", err, copies)
	}

	copyErr := errors.New("disk full")
	tee = Tee{Primary: &recorder{}, Copy: func(context.Context, Message) error { return copyErr }}
	err = tee.Send(context.Background(), Message{Channel: Email})
	if !errors.Is(err, copyErr) || errors.Is(err, ErrPermanent) {
		t.Errorf("copy failure: got %v", err)
	}
}

func TestPermanentKeepsTheCause(t *testing.T) {
	cause := errors.New("550 5.1.1 no such user")
	err := permanent(cause)
	if !errors.Is(err, ErrPermanent) || !errors.Is(err, cause) || err.Error() != cause.Error() {
		t.Errorf("permanent(%v) = %v", cause, err)
	}
	if permanent(nil) != nil {
		t.Error("permanent(nil) should be nil")
	}
	if errors.Is(cause, ErrPermanent) {
		t.Error("a plain error must not be permanent")
	}
}

// Every sender satisfies Sender; checked at compile time.
var (
	_ Sender = Mux{}
	_ Sender = Tee{}
	_ Sender = Discard{}
	_ Sender = (*SMTP)(nil)
	_ Sender = (*SMSGateway)(nil)
)
