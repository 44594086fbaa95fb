package core

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"paraph"
	"paraph/internal/store"
	"paraph/pki"
)

// trustCache keeps the instance's trust store: the roots from the
// --trust-roots files plus those the instance administrator added. It is
// rebuilt when older than trustTTL, so a root added on one instance is
// trusted by the others within that time.
type trustCache struct {
	mu      sync.Mutex
	files   []*pki.Certificate
	store   *pki.TrustStore
	builtAt time.Time
}

const trustTTL = 30 * time.Second

// loadTrustFiles reads the roots named by the configuration, once, at start.
func loadTrustFiles(paths []string) ([]*pki.Certificate, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	ts, err := pki.LoadTrustStore(paths...)
	if err != nil {
		return nil, fmt.Errorf("core: trust roots: %w", err)
	}
	return ts.Roots(), nil
}

// trustStore returns the current trust store.
func (s *Service) trustStore(ctx context.Context) (*pki.TrustStore, error) {
	s.trust.mu.Lock()
	defer s.trust.mu.Unlock()
	now := s.clock.Now()
	if s.trust.store != nil && now.Sub(s.trust.builtAt) < trustTTL && now.After(s.trust.builtAt) {
		return s.trust.store, nil
	}
	var roots []*store.TrustRoot
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		roots, err = tx.FindTrustRoots(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	ts := pki.NewTrustStore()
	ts.Fetcher = s.cfg.CRLFetcher
	ts.Now = s.clock.Now
	for _, c := range s.trust.files {
		if err := ts.AddRoot(c); err != nil {
			return nil, err
		}
	}
	for _, r := range roots {
		certs, err := pki.Parse(r.DER)
		if err != nil || len(certs) != 1 {
			s.log.Error("core: a stored trusted root does not parse", "id", r.ID, "err", err)
			continue
		}
		if err := ts.AddRoot(certs[0]); err != nil {
			s.log.Error("core: a stored trusted root was refused", "id", r.ID, "err", err)
		}
	}
	s.trust.store, s.trust.builtAt = ts, now
	return ts, nil
}

func (s *Service) invalidateTrust() {
	s.trust.mu.Lock()
	s.trust.store = nil
	s.trust.mu.Unlock()
}

// TrustRootView is a trusted root as the administrator sees it.
type TrustRootView struct {
	ID        string // "" for a root from the configuration files
	Cert      *pki.Certificate
	FromFile  bool
	CreatedAt time.Time
}

func requireInstanceAdmin(ctx context.Context) (*Principal, error) {
	p, err := requirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Account.InstanceAdmin {
		return nil, &paraph.Error{Code: paraph.EFORBIDDEN, Reason: "instance_admin_only",
			Message: "Only the instance administrator manages trusted roots."}
	}
	return p, nil
}

// TrustRoots lists every trusted root (instance administrator only).
func (s *Service) TrustRoots(ctx context.Context) ([]TrustRootView, error) {
	if _, err := requireInstanceAdmin(ctx); err != nil {
		return nil, err
	}
	var out []TrustRootView
	for _, c := range s.trust.files {
		out = append(out, TrustRootView{Cert: c, FromFile: true})
	}
	var roots []*store.TrustRoot
	if err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		roots, err = tx.FindTrustRoots(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	for _, r := range roots {
		if certs, err := pki.Parse(r.DER); err == nil && len(certs) == 1 {
			out = append(out, TrustRootView{ID: r.ID, Cert: certs[0], CreatedAt: r.CreatedAt})
		}
	}
	return out, nil
}

// AddTrustRoot trusts a root certificate (instance administrator only).
func (s *Service) AddTrustRoot(ctx context.Context, data []byte) (*TrustRootView, error) {
	p, err := requireInstanceAdmin(ctx)
	if err != nil {
		return nil, err
	}
	certs, err := s.parseCertificates(data)
	if err != nil {
		return nil, err
	}
	if len(certs) != 1 {
		return nil, paraph.Invalid("certificate", "one_root_expected", "Upload one root certificate at a time.")
	}
	c := certs[0]
	if !c.IsCA {
		return nil, paraph.Invalid("certificate", "not_a_ca", "This certificate is not a certification authority's: only CA certificates can be trusted roots.")
	}
	r := &store.TrustRoot{ID: newID(), DER: c.Raw, Fingerprint: c.FingerprintSHA256, AddedBy: p.Account.ID, CreatedAt: s.clock.Now()}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateTrustRoot(ctx, r); err != nil {
			if paraph.ErrorCode(err) == paraph.ECONFLICT {
				return &paraph.Error{Code: paraph.ECONFLICT, Reason: "root_exists", Field: "certificate",
					Message: "This root is trusted already.", Err: err}
			}
			return err
		}
		return s.audit(ctx, tx, "", "", "instance.root_added", r.ID, `{"fingerprint":"`+r.Fingerprint+`"}`)
	})
	if err != nil {
		return nil, err
	}
	s.invalidateTrust()
	return &TrustRootView{ID: r.ID, Cert: c, CreatedAt: r.CreatedAt}, nil
}

// RemoveTrustRoot stops trusting a root added in the instance.
func (s *Service) RemoveTrustRoot(ctx context.Context, id string) error {
	if _, err := requireInstanceAdmin(ctx); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.DeleteTrustRoot(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, "", "", "instance.root_removed", id, "")
	})
	if err == nil {
		s.invalidateTrust()
	}
	return err
}

// parseCertificates turns pki's parse errors into invalid-input errors whose
// message a person can act on.
func (s *Service) parseCertificates(data []byte) ([]*pki.Certificate, error) {
	certs, err := s.certs.Parse(data)
	if err != nil {
		reason := "not_certificate"
		switch {
		case errors.Is(err, pki.ErrPrivateKey):
			reason = "private_key_uploaded"
		case errors.Is(err, pki.ErrTooLarge):
			reason = "certificate_too_large"
		case errors.Is(err, pki.ErrTruncated):
			reason = "certificate_truncated"
		case errors.Is(err, pki.ErrMalformed):
			reason = "certificate_malformed"
		}
		return nil, &paraph.Error{Code: paraph.EINVALID, Reason: reason, Field: "certificate", Message: pki.Message(err)}
	}
	return certs, nil
}
