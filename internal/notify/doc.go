// Package notify renders and delivers messages (email by SMTP, SMS by an HTTP
// gateway); it does not decide who gets what — core does; it does not queue —
// jobs does.
//
// # Rendering
//
// [Render] turns a [Kind], a [Channel], a language and [Data] into text. The
// templates are text/template files embedded in the binary, one per language,
// kind and channel:
//
//	templates/{lang}/{kind}.email.tmpl
//	templates/{lang}/{kind}.sms.tmpl
//
// An email template reads like a message: its first line is "Subject: …",
// then one empty line, then the plain-text body. An SMS template is the body
// only and should fit one SMS segment (70 characters when it has Cyrillic
// letters). A key missing from Data is an error, never "<no value>". The
// template function plural picks the word form for a number given as text,
// by the rules of the template's language:
//
//	{{plural .minutes "минуту" "минуты" "минут"}}   → "10 минут"
//	{{plural .minutes "minute" "minutes"}}          → "1 minute"
//
// # Email
//
// [NewSMTP] takes PARAPH_SMTP_URL:
//
//	smtp://user:pass@host:587        STARTTLS, required (the default port is 587)
//	smtps://user:pass@host:465       implicit TLS (the default port is 465)
//	smtp://relay.local:25?starttls=off
//	                                 no TLS: only for a relay on the same host or network
//
// Query parameters: from= overrides the sender address; starttls= is
// "required" (the default), "opportunistic" (use it when the server offers it)
// or "off"; insecure_skip_verify=1 turns off certificate checks and exists for
// tests against self-signed servers only — never set it in production.
// STARTTLS is required by default because a server that "does not offer" it
// may be an attacker stripping it to read the password.
//
// Each [SMTP.Send] dials anew, which is slower than a pool but survives
// server restarts and idle timeouts without any bookkeeping. The Message-ID
// is derived from [Message.IdempotencyKey], so a retried message carries the
// same Message-ID and receivers can drop the duplicate.
//
// # SMS
//
// [NewSMSGateway] posts every SMS to one HTTP endpoint (PARAPH_SMS_URL), so
// any provider can be plugged in with a small adapter. The request is
//
//	POST <PARAPH_SMS_URL>
//	Content-Type: application/json
//	Authorization: Bearer <PARAPH_SMS_TOKEN>     (only when a token is set)
//
//	{"to": "+79123456789", "text": "Paraph: код 123456, действует 10 мин.", "idempotency_key": "…"}
//
// "to" is an E.164 number; "idempotency_key" stays the same across retries of
// one message, so the gateway can refuse to send it twice. Any 2xx response
// means sent. 4xx means the request itself is wrong and is a permanent error
// (except 408 and 429, which are worth retrying); 5xx and network errors are
// temporary.
//
// # Errors and retries
//
// errors.Is(err, [ErrPermanent]) reports that retrying cannot help: a
// recipient rejected by the SMTP server with a 5xx reply, a 4xx from the SMS
// gateway, a malformed address, a channel with no sender configured. The job
// queue drops such messages; it retries every other error.
//
// # Wiring
//
// [Mux] picks the sender by channel. [Tee] hands a copy of every message to
// a hook (the dev mailbox, kept by the store). [Discard] delivers nothing; in
// --dev mode without PARAPH_SMTP_URL, wire Tee{Primary: Mux{Email: Discard{},
// SMS: Discard{}}, Copy: devMailbox} so messages land only in the dev mailbox.
// A nil sender in Mux means "not configured" and fails loudly instead.
package notify
