package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// defaultSMTPTimeout bounds an SMTP exchange when ctx has no deadline, so a
// server that stops answering cannot hold a job worker forever.
const defaultSMTPTimeout = 30 * time.Second

// SMTP sends email through one SMTP server. It is safe for concurrent use:
// every Send dials its own connection.
type SMTP struct {
	host        string
	port        int
	implicitTLS bool             // smtps://: TLS from the first byte
	starttls    gomail.TLSPolicy // smtp:// only
	tlsConfig   *tls.Config
	username    string
	password    string
	from        *netmail.Address
	now         func() time.Time // tests pin the Date header
}

// NewSMTP checks PARAPH_SMTP_URL (see the package documentation for its
// form) and returns a sender for it. from is the sender address, e.g.
// "Paraph <noreply@example.com>"; the URL's from= parameter overrides it.
// Errors never repeat the URL, because it carries the password.
func NewSMTP(rawURL string, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // url.Error quotes the whole URL, password included
		}
		return nil, fmt.Errorf("notify: SMTP URL: %w", err)
	}
	s := &SMTP{now: time.Now}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		s.port = 587
	case "smtps":
		s.port = 465
		s.implicitTLS = true
	default:
		return nil, errors.New("notify: SMTP URL: scheme must be smtp or smtps")
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, errors.New("notify: SMTP URL: want smtp://user:pass@host:port or smtps://user:pass@host:port")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("notify: SMTP URL: host is missing")
	}
	if p := u.Port(); p != "" {
		s.port, err = strconv.Atoi(p)
		if err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("notify: SMTP URL: bad port %q", p)
		}
	}
	if u.Path != "" && u.Path != "/" {
		return nil, errors.New("notify: SMTP URL: unexpected path after the host")
	}
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}

	query, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTP URL: query: %w", err)
	}
	for key := range query {
		switch key {
		case "from", "starttls", "insecure_skip_verify":
		default:
			// A typo such as "startls=off" must not be silently ignored.
			return nil, fmt.Errorf("notify: SMTP URL: unknown parameter %q (known: from, starttls, insecure_skip_verify)", key)
		}
	}
	switch v := query.Get("starttls"); {
	case query.Has("starttls") && s.implicitTLS:
		return nil, errors.New("notify: SMTP URL: starttls applies to smtp:// only; smtps:// uses TLS from the start")
	case v == "" || v == "required":
		s.starttls = gomail.TLSMandatory
	case v == "opportunistic":
		s.starttls = gomail.TLSOpportunistic
	case v == "off":
		s.starttls = gomail.NoTLS
	default:
		return nil, fmt.Errorf("notify: SMTP URL: starttls must be required, opportunistic or off, not %q", v)
	}
	insecure := false
	if query.Has("insecure_skip_verify") {
		insecure, err = strconv.ParseBool(query.Get("insecure_skip_verify"))
		if err != nil {
			return nil, fmt.Errorf("notify: SMTP URL: insecure_skip_verify must be 1 or 0, not %q", query.Get("insecure_skip_verify"))
		}
	}
	s.tlsConfig = &tls.Config{
		ServerName:         s.host,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: insecure, // tests only; documented in the package doc
	}

	if query.Has("from") {
		from = query.Get("from")
	}
	if strings.TrimSpace(from) == "" {
		return nil, errors.New("notify: SMTP: sender address is empty (pass one or set ?from= in the URL)")
	}
	s.from, err = netmail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTP: sender address %q: %w", from, err)
	}
	return s, nil
}

// String describes the server for logs, without the password.
func (s *SMTP) String() string {
	scheme, mode := "smtp", " (STARTTLS "+strings.TrimPrefix(strings.ToLower(s.starttls.String()), "tls")+")"
	if s.starttls == gomail.NoTLS {
		mode = " (no TLS)"
	}
	if s.implicitTLS {
		scheme, mode = "smtps", ""
	}
	user := ""
	if s.username != "" {
		user = url.User(s.username).String() + "@"
	}
	return fmt.Sprintf("%s://%s%s%s from %s", scheme, user, s.addr(), mode, s.from.Address)
}

// Send delivers one email. A recipient or message the server refuses with a
// 5xx reply is ErrPermanent; everything else (network, 4xx, TLS, auth) may
// pass and is left to the queue to retry. ctx's deadline bounds the
// connection and each SMTP step.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if m.Channel != Email {
		return permanent(fmt.Errorf("notify: SMTP: cannot send a %q message", m.Channel))
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return permanent(fmt.Errorf("notify: SMTP: recipient %q: %w", m.To, err))
	}
	msg, err := s.message(m, to)
	if err != nil {
		return permanent(err)
	}

	timeout := defaultSMTPTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("notify: SMTP %s: %w", s.addr(), err)
	}
	if timeout <= 0 {
		return fmt.Errorf("notify: SMTP %s: %w", s.addr(), context.DeadlineExceeded)
	}

	opts := []gomail.Option{
		gomail.WithPort(s.port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(s.tlsConfig),
	}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	} else {
		opts = append(opts, gomail.WithTLSPolicy(s.starttls))
	}
	if s.username != "" {
		// Autodiscovery picks the strongest mechanism the server offers and
		// never sends PLAIN or LOGIN over an unencrypted connection.
		opts = append(opts,
			gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.username),
			gomail.WithPassword(s.password))
	}
	client, err := gomail.NewClient(s.host, opts...)
	if err != nil {
		return fmt.Errorf("notify: SMTP %s: %w", s.addr(), err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		err = fmt.Errorf("notify: SMTP %s: send to %s: %w", s.addr(), to.Address, err)
		if isPermanentSMTP(err) {
			return permanent(err)
		}
		return err
	}
	return nil
}

func (s *SMTP) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }

// message builds the MIME message: UTF-8 headers (RFC 2047 encoded where
// needed), a text/plain body, attachments, Date and Message-ID.
func (s *SMTP) message(m Message, to *netmail.Address) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	msg.SetUserAgent("Paraph")
	msg.FromMailAddress(s.from)
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	msg.SetMessageIDWithValue(messageID(m.IdempotencyKey, s.from.Address))
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)
	for i, a := range m.Attachments {
		if a.Name == "" {
			return nil, fmt.Errorf("notify: SMTP: attachment %d has no name", i+1)
		}
		contentType := a.ContentType
		if contentType == "" {
			contentType = "application/octet-stream"
		}
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data),
			gomail.WithFileContentType(gomail.ContentType(contentType)))
	}
	return msg, nil
}

// messageID derives the Message-ID from the idempotency key, so every retry
// of one notification carries the same ID and receivers can discard
// duplicates. The key is hashed because it may hold internal identifiers.
func messageID(key, from string) string {
	domain := "paraph.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	if key == "" {
		return rand.Text() + "@" + domain
	}
	sum := sha256.Sum256([]byte("paraph-message-id\x00" + key))
	return hex.EncodeToString(sum[:16]) + "@" + domain
}

// isPermanentSMTP reports a 5xx reply to MAIL, RCPT or DATA: the server
// refuses this message (unknown mailbox, policy rejection), and sending it
// again gives the same answer. A 5xx during login is not included: that is
// a configuration mistake, and the message should go out once it is fixed.
func isPermanentSMTP(err error) bool {
	var sendErr *gomail.SendError
	if !errors.As(err, &sendErr) || sendErr.IsTemp() {
		return false
	}
	code := sendErr.ErrorCode()
	return code >= 500 && code <= 599
}
