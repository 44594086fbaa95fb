package store_test

import (
	"context"
	"testing"
	"time"

	"paraph"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

func mustOrgMember(t *testing.T, db *store.DB) (*paraph.Organization, *paraph.Member) {
	t.Helper()
	ctx := context.Background()
	a := mustAccount(t, db, "holder@example.com", "")
	o := &paraph.Organization{ID: newID(), Kind: paraph.OrgLegal, Country: paraph.CountryUA, Name: "ТОВ", EDRPOU: "00032129", CreatedAt: t0}
	m := &paraph.Member{ID: newID(), OrgID: o.ID, AccountID: a.ID, Role: paraph.RoleSigner, Status: paraph.MemberActive,
		AccessScope: paraph.ScopeAll, CreatedAt: t0}
	mustWrite(t, db, func(tx *store.Tx) error {
		if err := tx.CreateOrganization(ctx, o); err != nil {
			return err
		}
		return tx.CreateMember(ctx, m)
	})
	return o, m
}

func TestCertificatesAndPOAs(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o, m := mustOrgMember(t, db)
		c := &store.Certificate{ID: newID(), OrgID: o.ID, MemberID: m.ID, AccountID: m.AccountID, DER: []byte{0x30, 0x82, 0, 1, 0xff},
			Chain: []byte{}, Fingerprint: "ab12", NotAfter: t0.Add(40 * 24 * time.Hour), UploadedBy: m.AccountID, CreatedAt: t0}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateCertificate(ctx, c) })
		dup := *c
		dup.ID = newID()
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateCertificate(ctx, &dup) }); paraph.ErrorCode(err) != paraph.ECONFLICT {
			t.Fatalf("the same certificate twice: %v", err)
		}
		var got []*store.Certificate
		mustWrite(t, db, func(tx *store.Tx) (err error) {
			got, err = tx.FindCertificatesExpiringBetween(ctx, t0.Add(30*24*time.Hour), t0.Add(45*24*time.Hour))
			return
		})
		if len(got) != 1 || string(got[0].DER) != string(c.DER) {
			t.Fatalf("expiring: %+v", got)
		}
		var n int
		mustWrite(t, db, func(tx *store.Tx) (err error) { n, err = tx.CountAccountCertificates(ctx, m.AccountID); return })
		if n != 1 {
			t.Fatalf("count %d", n)
		}

		mk := func(number string, main bool) *store.POA {
			p := &store.POA{ID: newID(), OrgID: o.ID, MemberID: m.ID, Number: number, XML: []byte("<x/>"), Sig: []byte{1},
				ValidUntil: t0.AddDate(1, 0, 0), IsMain: main, UploadedBy: m.AccountID, CreatedAt: t0}
			mustWrite(t, db, func(tx *store.Tx) error { return tx.CreatePOA(ctx, p) })
			return p
		}
		p1 := mk("n1", true)
		p2 := mk("n2", false)
		// Two main ones are refused by the database itself.
		p2.IsMain = true
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.UpdatePOA(ctx, p2) }); paraph.ErrorCode(err) != paraph.ECONFLICT {
			t.Fatalf("second main: %v", err)
		}
		mustWrite(t, db, func(tx *store.Tx) error {
			if err := tx.ClearMainPOA(ctx, o.ID, m.ID); err != nil {
				return err
			}
			return tx.UpdatePOA(ctx, p2)
		})
		p1.RevokedAt, p1.RevokedReason = t0.Add(time.Hour), "отозвана"
		p1.IsMain = false
		mustWrite(t, db, func(tx *store.Tx) error { return tx.UpdatePOA(ctx, p1) })
		var list []*store.POA
		mustWrite(t, db, func(tx *store.Tx) (err error) { list, err = tx.FindMemberPOAs(ctx, o.ID, m.ID); return })
		if len(list) != 2 || list[0].ID != p2.ID || !list[0].IsMain || list[1].RevokedReason != "отозвана" || !list[1].RevokedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("poas: %+v / %+v", list[0], list[1])
		}

		ch := &store.Challenge{ID: newID(), Nonce: "n", Fingerprint: "ab12", CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateChallenge(ctx, ch) })
		mustWrite(t, db, func(tx *store.Tx) error { _, err := tx.UseChallenge(ctx, ch.ID, t0.Add(time.Minute)); return err })
		if err := db.Write(ctx, func(tx *store.Tx) error { _, err := tx.UseChallenge(ctx, ch.ID, t0.Add(2*time.Minute)); return err }); err == nil {
			t.Fatal("a challenge was used twice")
		}
	})
}
