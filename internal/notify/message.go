package notify

import (
	"context"
	"errors"
	"fmt"
)

// Channel is the way a message travels.
type Channel string

const (
	Email Channel = "email"
	SMS   Channel = "sms"
)

// Attachment is a file sent with an email.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// Message is one rendered message ready to deliver.
type Message struct {
	Channel        Channel
	To             string       // email address, or E.164 phone like +79123456789
	Subject        string       // email only
	Body           string       // plain text
	Attachments    []Attachment // email only
	IdempotencyKey string       // passed to the SMS gateway and set as Message-ID seed for email
}

// Sender delivers one message. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a delivery error that retrying cannot fix. The job queue
// checks it with errors.Is and gives up on the message instead of retrying.
var ErrPermanent = errors.New("notify: permanent failure")

// permanentError keeps the cause's text and chain intact and only adds the
// ErrPermanent mark, so logs read "notify: SMTP: … 550 …" rather than a
// generic sentinel text.
type permanentError struct{ err error }

func (e permanentError) Error() string        { return e.err.Error() }
func (e permanentError) Unwrap() error        { return e.err }
func (e permanentError) Is(target error) bool { return target == ErrPermanent }

// permanent marks err as not worth retrying.
func permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// Mux sends each message through the sender of its channel. A nil sender
// means the channel is not configured: sending to it is a permanent error,
// so a missing PARAPH_SMS_URL shows up in the job log instead of passing
// silently. To drop messages on purpose (dev mode), use Discard.
type Mux struct {
	Email, SMS Sender
}

// Send implements Sender.
func (x Mux) Send(ctx context.Context, m Message) error {
	switch m.Channel {
	case Email:
		if x.Email == nil {
			return permanent(errors.New("notify: no email sender configured (set PARAPH_SMTP_URL)"))
		}
		return x.Email.Send(ctx, m)
	case SMS:
		if x.SMS == nil {
			return permanent(errors.New("notify: no SMS gateway configured (set PARAPH_SMS_URL)"))
		}
		return x.SMS.Send(ctx, m)
	default:
		return permanent(fmt.Errorf("notify: unknown channel %q", m.Channel))
	}
}

// Tee sends through Primary and hands the same message to Copy — the dev
// mailbox hook. Copy runs even when Primary fails, because the dev mailbox
// should show what the server tried to send; both errors are returned.
// A retried message reaches Copy again with the same IdempotencyKey, which
// the hook can use to keep one copy. A nil Primary means "copy only".
type Tee struct {
	Primary Sender
	Copy    func(ctx context.Context, m Message) error
}

// Send implements Sender.
func (t Tee) Send(ctx context.Context, m Message) error {
	var primaryErr, copyErr error
	if t.Primary != nil {
		primaryErr = t.Primary.Send(ctx, m)
	}
	if t.Copy != nil {
		if err := t.Copy(ctx, m); err != nil {
			copyErr = fmt.Errorf("notify: copy to dev mailbox: %w", err)
		}
	}
	return errors.Join(primaryErr, copyErr)
}

// Discard accepts every message and delivers none. It stands in for a real
// sender on purpose, e.g. for email in --dev mode without PARAPH_SMTP_URL.
type Discard struct{}

// Send implements Sender.
func (Discard) Send(context.Context, Message) error { return nil }
