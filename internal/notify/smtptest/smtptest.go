// Package smtptest runs a real SMTP server (emersion/go-smtp) on loopback
// for tests: plain, STARTTLS or implicit TLS, with PLAIN authentication, and
// records every message it accepts.
package smtptest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mode is how the test server speaks TLS.
type Mode int

const (
	Plain    Mode = iota // no TLS at all, like a local relay
	StartTLS             // offers STARTTLS on a plain listener
	Implicit             // TLS from the first byte (smtps)
)

// Message is one message the test server accepted.
type Message struct {
	From     string
	To       []string
	Data     []byte
	Username string // who authenticated, "" when nobody did
	TLS      bool   // whether the DATA arrived over TLS
}

// Server is a real SMTP server (emersion/go-smtp) on loopback that
// records what it receives and rejects chosen recipients.
type Server struct {
	Addr     string
	Username string
	Password string

	mu       sync.Mutex
	messages []Message
	Reject   map[string]*smtp.SMTPError // recipient → reply to RCPT
}

func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Start runs a server on 127.0.0.1:0 until the test ends.
func Start(tb testing.TB, mode Mode) *Server {
	tb.Helper()
	ts := &Server{
		Username: "robot@paraph.test",
		Password: "p@ss:w/rd ключ",
		Reject: map[string]*smtp.SMTPError{
			"nobody@paraph.test": {Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"},
			"busy@paraph.test":   {Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"},
		},
	}
	server := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{server: ts, conn: c}, nil
	}))
	server.Domain = "localhost"
	server.ReadTimeout = 10 * time.Second
	server.WriteTimeout = 10 * time.Second
	server.ErrorLog = logger{tb}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	switch mode {
	case StartTLS:
		server.TLSConfig = SelfSignedTLS(tb)
	case Implicit:
		ln = tls.NewListener(ln, SelfSignedTLS(tb))
	}
	ts.Addr = ln.Addr().String()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = server.Serve(ln) // returns once Close is called
	}()
	tb.Cleanup(func() {
		server.Close()
		<-done
	})
	return ts
}

type logger struct{ tb testing.TB }

func (l logger) Printf(format string, v ...any) { l.tb.Logf("smtp server: "+format, v...) }
func (l logger) Println(v ...any)               { l.tb.Log(append([]any{"smtp server:"}, v...)...) }

type session struct {
	server   *Server
	conn     *smtp.Conn
	from     string
	to       []string
	username string
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != s.server.Username || password != s.server.Password {
			return errors.New("invalid credentials")
		}
		s.username = username
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if reply, ok := s.server.Reject[to]; ok {
		return reply
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.server.mu.Lock()
	defer s.server.mu.Unlock()
	s.server.messages = append(s.server.messages, Message{
		From: s.from, To: s.to, Data: data, Username: s.username, TLS: isTLS,
	})
	return nil
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }

// SelfSignedTLS makes a server certificate for 127.0.0.1 signed by itself.
func SelfSignedTLS(tb testing.TB) *tls.Config {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}
