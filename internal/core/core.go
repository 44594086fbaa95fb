// Package core holds Paraph's use cases. Each public method is one
// transaction; authorization is decided here, by the domain's pure policy
// functions, on every read and write. Core never writes SQL (that is store)
// and knows nothing of HTTP (that is server, web and api).
package core

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/google/uuid"

	"paraph"
	"paraph/cades"
	"paraph/internal/blob"
	"paraph/internal/seal"
	"paraph/internal/store"
	"paraph/pki"
)

// Config holds the knobs of the use cases; zero values take the defaults.
type Config struct {
	CodeTTL         time.Duration // how long a one-time code is valid: 10 min
	CodeMaxAttempts int           // wrong tries before a code locks: 5
	CodeResendAfter time.Duration // the least time between two codes: 1 min
	CodesPerHour    int           // codes an account may be sent in an hour: 10
	SessionTTL      time.Duration // web session lifetime: 30 days
	BearerTTL       time.Duration // API login token lifetime: 30 days
	Password        PasswordParams
	LoginPerIP      RateLimit // login attempts per client IP
	LoginPerLogin   RateLimit // login attempts per login
	Dev             bool      // keep a copy of every message in the dev mailbox
	BaseURL         string    // for links in messages

	TrustRootFiles  []string       // PEM/DER files or folders of trusted roots (--trust-roots)
	CheckRevocation bool           // fetch CRLs when checking certificates
	CRLFetcher      pki.CRLFetcher // nil: over HTTP with pki's defaults

	Blobs           blob.Store    // where document bytes live
	MaxDocumentSize int64         // upload cap in bytes; 0: DefaultMaxDocumentSize
	LinkTTL         time.Duration // how long a signing link works; 0: DefaultLinkTTL
	RemindAfter     time.Duration // remind waiting signers after this long; 0: DefaultRemindAfter; <0: never

	Seal        *seal.Sealer // seals final PDFs and reports with the instance's PDF signature; nil leaves them unsealed (tests)
	VerifyPerIP RateLimit    // public verifications per client IP
}

func (c *Config) setDefaults() {
	if c.CodeTTL == 0 {
		c.CodeTTL = 10 * time.Minute
	}
	if c.CodeMaxAttempts == 0 {
		c.CodeMaxAttempts = 5
	}
	if c.CodeResendAfter == 0 {
		c.CodeResendAfter = time.Minute
	}
	if c.CodesPerHour == 0 {
		c.CodesPerHour = 10
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = 30 * 24 * time.Hour
	}
	if c.BearerTTL == 0 {
		c.BearerTTL = 30 * 24 * time.Hour
	}
	if c.Password == (PasswordParams{}) {
		c.Password = DefaultPasswordParams
	}
	if c.LoginPerIP == (RateLimit{}) {
		c.LoginPerIP = RateLimit{Burst: 30, Every: 2 * time.Second}
	}
	if c.LoginPerLogin == (RateLimit{}) {
		c.LoginPerLogin = RateLimit{Burst: 10, Every: 30 * time.Second}
	}
	if c.VerifyPerIP == (RateLimit{}) {
		c.VerifyPerIP = RateLimit{Burst: 20, Every: 3 * time.Second}
	}
	if c.MaxDocumentSize == 0 {
		c.MaxDocumentSize = DefaultMaxDocumentSize
	}
}

// Service runs the use cases.
type Service struct {
	db     *store.DB
	clock  paraph.Clock
	log    *slog.Logger
	cfg    Config
	secret []byte // instance key for hashing one-time codes
	wake   func() // tells the job runner that work was queued

	trust trustCache
	// Certificates parsed, and signature values verified, are remembered:
	// a signature reads its signer's certificate at each step and checks
	// its value when it is assembled and again when verified. The parsed
	// certificates are shared: read-only.
	certs        *pki.Cache
	sigs         *cades.SignatureCache
	loginByIP    *limiter
	loginByLogin *limiter
	verifyByIP   *limiter
	verifySlots  chan struct{} // public verifications running at once
	dummyHash    string        // verified against when a login is unknown, so timing tells nothing
}

// New returns a Service on a migrated database. It creates the instance secret
// on first use.
func New(ctx context.Context, db *store.DB, clock paraph.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	cfg.setDefaults()
	s := &Service{db: db, clock: clock, log: log, cfg: cfg, wake: func() {}, certs: pki.NewCache(1024), sigs: cades.NewSignatureCache(1024)}
	var secret string
	err := db.Write(ctx, func(tx *store.Tx) error {
		var err error
		secret, err = tx.InitInstanceValue(ctx, "code_secret", hex.EncodeToString(randomBytes(32)))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("core: instance secret: %w", err)
	}
	if s.secret, err = hex.DecodeString(secret); err != nil {
		return nil, fmt.Errorf("core: instance secret is not hex: %w", err)
	}
	if s.trust.files, err = loadTrustFiles(cfg.TrustRootFiles); err != nil {
		return nil, err
	}
	s.loginByIP = newLimiter(cfg.LoginPerIP, clock)
	s.loginByLogin = newLimiter(cfg.LoginPerLogin, clock)
	s.verifyByIP = newLimiter(cfg.VerifyPerIP, clock)
	s.verifySlots = make(chan struct{}, max(2, runtime.GOMAXPROCS(0)))
	s.dummyHash = cfg.Password.unmatchable()
	return s, nil
}

// OnEnqueue sets the function called after a transaction queued a job.
func (s *Service) OnEnqueue(wake func()) { s.wake = wake }

// Clock returns the service's clock.
func (s *Service) Clock() paraph.Clock { return s.clock }

// Config returns the effective configuration.
func (s *Service) Config() Config { return s.cfg }

// newID returns a UUIDv7: unique and sortable by creation time.
func newID() string { return uuid.Must(uuid.NewV7()).String() }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("core: crypto/rand failed: " + err.Error()) // never happens on supported systems
	}
	return b
}

// Client describes where a request comes from; it is recorded in audit events.
type Client struct {
	IP        string
	UserAgent string
	Language  string // the language the person is using, for messages to them
}

type clientKey struct{}
type principalKey struct{}

// WithClient returns a context that carries the request's client.
func WithClient(ctx context.Context, c Client) context.Context {
	return context.WithValue(ctx, clientKey{}, c)
}

// ClientFrom returns the client of a context.
func ClientFrom(ctx context.Context) Client {
	c, _ := ctx.Value(clientKey{}).(Client)
	return c
}

// Principal is who is acting: an account, through one token.
type Principal struct {
	Account paraph.Account
	TokenID string
	Kind    string // store.TokenSession, TokenBearer or TokenPersonal
}

// WithPrincipal returns a context that carries the authenticated principal.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of a context, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

func requirePrincipal(ctx context.Context) (*Principal, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, &paraph.Error{Code: paraph.EUNAUTHORIZED, Reason: "unauthenticated", Message: "Log in first."}
	}
	return p, nil
}

// audit appends an event for the current client and principal.
func (s *Service) audit(ctx context.Context, tx *store.Tx, accountID, orgID, action, target, details string) error {
	c := ClientFrom(ctx)
	if accountID == "" {
		if p := PrincipalFrom(ctx); p != nil {
			accountID = p.Account.ID
		}
	}
	return tx.AppendAudit(ctx, &store.AuditEvent{
		ID: newID(), AccountID: accountID, OrgID: orgID, Action: action, Target: target,
		IP: c.IP, UserAgent: truncate(c.UserAgent, 512), Details: details, CreatedAt: s.clock.Now(),
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
