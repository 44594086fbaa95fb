package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"paraph/internal/notify/smtptest"
)

// MustNewSMTP builds a sender for the test server and pins its clock.
func MustNewSMTP(tb testing.TB, rawURL string) *SMTP {
	tb.Helper()
	s, err := NewSMTP(rawURL, "Paraph <noreply@paraph.test>")
	if err != nil {
		tb.Fatal(err)
	}
	s.now = func() time.Time { return time.Date(2026, 3, 12, 14, 5, 0, 0, time.FixedZone("MSK", 3*60*60)) }
	return s
}

func userinfo(ts *smtptest.Server) string {
	return url.UserPassword(ts.Username, ts.Password).String()
}

// testEmail is the message the delivery tests send: Cyrillic everywhere a
// user could put it, and a binary attachment.
func testEmail(to string) Message {
	pdf := []byte("%PDF-1.7\n\x00\x01\x02\xff\xfe binary bytes\n%%EOF\n")
	return Message{
		Channel:        Email,
		To:             to,
		Subject:        "Код подтверждения Paraph",
		Body:           "Здравствуйте, Анна!\n\nВаш код подтверждения: 123456\n\nКод действует 10 минут.\n\n— Paraph\n",
		Attachments:    []Attachment{{Name: "Акт сверки №7.pdf", ContentType: "application/pdf", Data: pdf}},
		IdempotencyKey: "confirm:01J00000000000000000000000",
	}
}

func TestSMTPDelivers(t *testing.T) {
	tests := []struct {
		name    string
		mode    smtptest.Mode
		url     func(ts *smtptest.Server) string
		wantTLS bool
		auth    bool
	}{
		{"plain relay", smtptest.Plain, func(ts *smtptest.Server) string {
			return "smtp://" + ts.Addr + "?starttls=off"
		}, false, false},
		{"STARTTLS", smtptest.StartTLS, func(ts *smtptest.Server) string {
			return "smtp://" + userinfo(ts) + "@" + ts.Addr + "?insecure_skip_verify=1"
		}, true, true},
		{"STARTTLS opportunistic", smtptest.StartTLS, func(ts *smtptest.Server) string {
			return "smtp://" + userinfo(ts) + "@" + ts.Addr + "?starttls=opportunistic&insecure_skip_verify=1"
		}, true, true},
		{"implicit TLS", smtptest.Implicit, func(ts *smtptest.Server) string {
			return "smtps://" + userinfo(ts) + "@" + ts.Addr + "?insecure_skip_verify=true"
		}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := smtptest.Start(t, tt.mode)
			sender := MustNewSMTP(t, tt.url(ts))
			m := testEmail("Анна Петрова <anna@paraph.test>")
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := sender.Send(ctx, m); err != nil {
				t.Fatalf("Send: %v", err)
			}

			got := ts.Messages()
			if len(got) != 1 {
				t.Fatalf("server Message %d messages, want 1", len(got))
			}
			r := got[0]
			if r.TLS != tt.wantTLS {
				t.Errorf("TLS = %v, want %v", r.TLS, tt.wantTLS)
			}
			if tt.auth && r.Username != ts.Username {
				t.Errorf("authenticated as %q, want %q", r.Username, ts.Username)
			}
			if r.From != "noreply@paraph.test" || len(r.To) != 1 || r.To[0] != "anna@paraph.test" {
				t.Errorf("envelope: from %q to %q", r.From, r.To)
			}
			assertReceivedEmail(t, r.Data, m)
		})
	}
}

// assertReceivedEmail parses the raw message as a mail client would and
// checks what the reader sees.
func assertReceivedEmail(t *testing.T, raw []byte, sent Message) {
	t.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, raw)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	if subject != sent.Subject {
		t.Errorf("subject = %q, want %q", subject, sent.Subject)
	}
	if raw := msg.Header.Get("Subject"); !strings.HasPrefix(raw, "=?") {
		t.Errorf("subject is not RFC 2047 encoded: %q", raw)
	}
	wantTo, err := netmail.ParseAddress(sent.To)
	if err != nil {
		t.Fatal(err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != wantTo.Address || to[0].Name != wantTo.Name {
		t.Errorf("To = %v, %v; want %v", to, err, wantTo)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Address != "noreply@paraph.test" || from[0].Name != "Paraph" {
		t.Errorf("From = %v, %v", from, err)
	}
	if id := msg.Header.Get("Message-Id"); id != "<"+messageID(sent.IdempotencyKey, "noreply@paraph.test")+">" {
		t.Errorf("Message-ID = %q, want one derived from the idempotency key", id)
	}
	date, err := msg.Header.Date()
	if err != nil || !date.Equal(time.Date(2026, 3, 12, 11, 5, 0, 0, time.UTC)) {
		t.Errorf("Date = %v, %v", date, err)
	}

	var body string
	attachments := map[string][]byte{}
	visit := func(contentType, filename string, data []byte) {
		switch {
		case filename != "":
			attachments[filename] = data
		case strings.HasPrefix(contentType, "text/plain"):
			_, p, _ := mime.ParseMediaType(contentType)
			if !strings.EqualFold(p["charset"], "utf-8") {
				t.Errorf("body charset = %q, want utf-8", p["charset"])
			}
			body = string(data)
		default:
			t.Errorf("unexpected part %q", contentType)
		}
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	switch {
	case err != nil:
		t.Fatalf("Content-Type %q: %v", msg.Header.Get("Content-Type"), err)
	case len(sent.Attachments) == 0 && mediaType == "text/plain":
		visit(msg.Header.Get("Content-Type"), "", decodeTransfer(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body))
	case len(sent.Attachments) > 0 && mediaType == "multipart/mixed":
		walkParts(t, multipart.NewReader(msg.Body, params["boundary"]), visit)
	default:
		t.Fatalf("Content-Type = %q with %d attachments", mediaType, len(sent.Attachments))
	}
	if normalizeNewlines(body) != sent.Body {
		t.Errorf("body = %q, want %q", body, sent.Body)
	}
	for _, a := range sent.Attachments {
		got, ok := attachments[a.Name]
		if !ok {
			t.Errorf("attachment %q missing; got %v", a.Name, keys(attachments))
			continue
		}
		if !bytes.Equal(got, a.Data) {
			t.Errorf("attachment %q = %q, want %q", a.Name, got, a.Data)
		}
	}
}

// walkParts visits every leaf part, decoding its transfer encoding.
func walkParts(t *testing.T, mr *multipart.Reader, visit func(contentType, filename string, data []byte)) {
	t.Helper()
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		contentType := part.Header.Get("Content-Type")
		mediaType, params, _ := mime.ParseMediaType(contentType)
		if strings.HasPrefix(mediaType, "multipart/") {
			walkParts(t, multipart.NewReader(part, params["boundary"]), visit)
			continue
		}
		// multipart.Reader decodes quoted-printable itself and drops the header.
		data := decodeTransfer(t, part.Header.Get("Content-Transfer-Encoding"), part)
		filename := part.FileName()
		if decoded, err := new(mime.WordDecoder).DecodeHeader(filename); err == nil {
			filename = decoded
		}
		visit(contentType, filename, data)
	}
}

// decodeTransfer undoes a Content-Transfer-Encoding.
func decodeTransfer(t *testing.T, encoding string, r io.Reader) []byte {
	t.Helper()
	switch strings.ToLower(encoding) {
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("decode %s: %v", encoding, err)
	}
	return data
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSMTPRejectedRecipient(t *testing.T) {
	ts := smtptest.Start(t, smtptest.StartTLS)
	sender := MustNewSMTP(t, "smtp://"+userinfo(ts)+"@"+ts.Addr+"?insecure_skip_verify=1")
	ctx := context.Background()

	err := sender.Send(ctx, testEmail("nobody@paraph.test"))
	if err == nil {
		t.Fatal("550: want an error")
	}
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("550 should be permanent: %v", err)
	}
	if !strings.Contains(err.Error(), "550") {
		t.Errorf("error should carry the server's reply: %v", err)
	}

	err = sender.Send(ctx, testEmail("busy@paraph.test"))
	if err == nil {
		t.Fatal("451: want an error")
	}
	if errors.Is(err, ErrPermanent) {
		t.Errorf("451 is temporary, must not be ErrPermanent: %v", err)
	}
	if n := len(ts.Messages()); n != 0 {
		t.Errorf("server accepted %d messages, want 0", n)
	}
}

// By default STARTTLS is required: a server that does not offer it gets
// neither the password nor the message.
func TestSMTPRequiresSTARTTLSByDefault(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Plain)
	sender := MustNewSMTP(t, "smtp://"+userinfo(ts)+"@"+ts.Addr)
	err := sender.Send(context.Background(), testEmail("anna@paraph.test"))
	if err == nil {
		t.Fatal("want an error from a server without STARTTLS")
	}
	if errors.Is(err, ErrPermanent) {
		t.Errorf("a TLS problem is configuration, not the message's fault; should be retried: %v", err)
	}
	if strings.Contains(err.Error(), ts.Password) {
		t.Errorf("error leaks the password: %v", err)
	}
	if n := len(ts.Messages()); n != 0 {
		t.Errorf("server Message %d messages, want 0", n)
	}
}

// Without insecure_skip_verify the self-signed test certificate is refused.
func TestSMTPVerifiesCertificates(t *testing.T) {
	for _, mode := range []smtptest.Mode{smtptest.StartTLS, smtptest.Implicit} {
		ts := smtptest.Start(t, mode)
		scheme := "smtp"
		if mode == smtptest.Implicit {
			scheme = "smtps"
		}
		sender := MustNewSMTP(t, scheme+"://"+userinfo(ts)+"@"+ts.Addr)
		if err := sender.Send(context.Background(), testEmail("anna@paraph.test")); err == nil {
			t.Errorf("%s: want a certificate error", scheme)
		}
		if n := len(ts.Messages()); n != 0 {
			t.Errorf("%s: server Message %d messages, want 0", scheme, n)
		}
	}
}

func TestSMTPSendChecksTheMessage(t *testing.T) {
	sender := MustNewSMTP(t, "smtp://127.0.0.1:1?starttls=off")
	tests := []struct {
		name string
		m    Message
	}{
		{"bad address", Message{Channel: Email, To: "not an address", Subject: "x", Body: "x"}},
		{"SMS through SMTP", Message{Channel: SMS, To: "+79123456789", Body: "x"}},
		{"attachment without a name", Message{Channel: Email, To: "a@b.test", Body: "x", Attachments: []Attachment{{Data: []byte("x")}}}},
	}
	for _, tt := range tests {
		err := sender.Send(context.Background(), tt.m)
		if !errors.Is(err, ErrPermanent) {
			t.Errorf("%s: want ErrPermanent, got %v", tt.name, err)
		}
	}
}

func TestSMTPHonoursContext(t *testing.T) {
	// A listener that accepts and never speaks: the client must give up
	// when ctx's deadline passes rather than wait for a greeting forever.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	sender := MustNewSMTP(t, "smtp://"+ln.Addr().String()+"?starttls=off")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = sender.Send(ctx, testEmail("anna@paraph.test"))
	if err == nil {
		t.Fatal("want a timeout error")
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Send took %v despite a 300ms deadline", elapsed)
	}

	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sender.Send(canceled, testEmail("anna@paraph.test")); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled ctx: got %v", err)
	}
}

func TestNewSMTP(t *testing.T) {
	tests := []struct {
		url, from string
		wantErr   string // "" for success
		want      string // String() on success
	}{
		{"smtp://user:pass@mail.example.com:587", "noreply@example.com", "",
			"smtp://user@mail.example.com:587 (STARTTLS mandatory) from noreply@example.com"},
		{"smtp://mail.example.com", "noreply@example.com", "",
			"smtp://mail.example.com:587 (STARTTLS mandatory) from noreply@example.com"},
		{"smtps://user:pass@mail.example.com", "noreply@example.com", "",
			"smtps://user@mail.example.com:465 from noreply@example.com"},
		{"SMTPS://mail.example.com:2465", "noreply@example.com", "",
			"smtps://mail.example.com:2465 from noreply@example.com"},
		{"smtp://relay:25?starttls=off", "noreply@example.com", "",
			"smtp://relay:25 (no TLS) from noreply@example.com"},
		{"smtp://relay:25?starttls=opportunistic", "noreply@example.com", "",
			"smtp://relay:25 (STARTTLS opportunistic) from noreply@example.com"},
		{"smtp://relay?from=Paraph%20%3Cbot%40example.org%3E", "noreply@example.com", "",
			"smtp://relay:587 (STARTTLS mandatory) from bot@example.org"},
		{"smtp://[::1]:2525?starttls=off", "noreply@example.com", "",
			"smtp://[::1]:2525 (no TLS) from noreply@example.com"},

		{"http://mail.example.com", "noreply@example.com", "notify: SMTP URL: scheme must be smtp or smtps", ""},
		{"mail.example.com:587", "noreply@example.com", "notify: SMTP URL", ""},
		{"", "noreply@example.com", "scheme must be smtp or smtps", ""},
		{"smtp://", "noreply@example.com", "want smtp://", ""},
		{"smtp://:587", "noreply@example.com", "host is missing", ""},
		{"smtp://mail.example.com:0", "noreply@example.com", "bad port", ""},
		{"smtp://mail.example.com:99999", "noreply@example.com", "bad port", ""},
		{"smtp://mail.example.com/inbox", "noreply@example.com", "unexpected path", ""},
		{"smtp://mail.example.com?startls=off", "noreply@example.com", `unknown parameter "startls"`, ""},
		{"smtp://mail.example.com?starttls=maybe", "noreply@example.com", "starttls must be", ""},
		{"smtps://mail.example.com?starttls=off", "noreply@example.com", "starttls applies to smtp:// only", ""},
		{"smtp://mail.example.com?insecure_skip_verify=yes", "noreply@example.com", "insecure_skip_verify must be", ""},
		{"smtp://mail.example.com", "", "sender address is empty", ""},
		{"smtp://mail.example.com", "not an address", "sender address", ""},
	}
	for _, tt := range tests {
		s, err := NewSMTP(tt.url, tt.from)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("NewSMTP(%q): error %v, want one containing %q", tt.url, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("NewSMTP(%q): %v", tt.url, err)
			continue
		}
		if got := s.String(); got != tt.want {
			t.Errorf("NewSMTP(%q).String() = %q, want %q", tt.url, got, tt.want)
		}
	}
}

// url.Parse errors quote the whole URL; ours must not, it has the password.
func TestNewSMTPErrorHidesPassword(t *testing.T) {
	_, err := NewSMTP("smtp://user:s3cret-pass@mail.example.com:notaport", "noreply@example.com")
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestMessageID(t *testing.T) {
	a := messageID("key-1", "noreply@paraph.test")
	if a != messageID("key-1", "noreply@paraph.test") {
		t.Error("same key must give the same Message-ID")
	}
	if a == messageID("key-2", "noreply@paraph.test") {
		t.Error("different keys must give different Message-IDs")
	}
	if !strings.HasSuffix(a, "@paraph.test") || strings.Contains(a, "key-1") {
		t.Errorf("Message-ID %q should hash the key and use the sender's domain", a)
	}
	if messageID("", "x@paraph.test") == messageID("", "x@paraph.test") {
		t.Error("without a key, Message-IDs must be random")
	}
}

// A message without attachments is a single text/plain part.
func TestSMTPDeliversWithoutAttachments(t *testing.T) {
	ts := smtptest.Start(t, smtptest.StartTLS)
	sender := MustNewSMTP(t, "smtp://"+userinfo(ts)+"@"+ts.Addr+"?insecure_skip_verify=1")
	subject, body, err := Render(KindResetCode, Email, "uk", sampleData())
	if err != nil {
		t.Fatal(err)
	}
	m := Message{Channel: Email, To: "anna@paraph.test", Subject: subject, Body: body, IdempotencyKey: "reset:1"}
	if err := sender.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := ts.Messages()
	if len(got) != 1 {
		t.Fatalf("server Message %d messages, want 1", len(got))
	}
	assertReceivedEmail(t, got[0].Data, m)
}
