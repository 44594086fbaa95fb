package core_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"paraph"
	"paraph/internal/core"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

// Every use case that takes an organization id refuses an outsider, and one
// whose membership is blocked: called through reflection, so a method added
// later is covered without anyone remembering to add it here.
func TestEveryOrganizationMethodRefusesOutsiders(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	e := newEnv(t, db)
	owner := e.person(t, "owner@example.com", "Owner")
	org, err := e.svc.CreateOrganization(owner, romashka)
	if err != nil {
		t.Fatal(err)
	}
	insider := e.person(t, "blocked@example.com", "Blocked")
	m, err := e.svc.AddMember(owner, org.ID, core.MemberInput{FullName: "Blocked", Email: "blocked@example.com", Phone: "+79160004444", Role: "admin", AccessScope: "all"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.BlockMember(owner, org.ID, m.ID); err != nil {
		t.Fatal(err)
	}
	outsider := e.person(t, "outsider@example.com", "Outsider")

	svc := reflect.ValueOf(e.svc)
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	checked := 0
	for i := 0; i < svc.NumMethod(); i++ {
		method := svc.Type().Method(i)
		ft := method.Type // includes the receiver
		if ft.NumIn() < 3 || ft.In(1) != ctxType || ft.In(2).Kind() != reflect.String || !takesOrg(method.Name) {
			continue
		}
		for _, who := range []struct {
			name string
			ctx  context.Context
			want []string
		}{{"outsider", outsider, []string{paraph.ENOTFOUND}}, {"blocked", insider, []string{paraph.EFORBIDDEN}}} {
			args := []reflect.Value{reflect.ValueOf(who.ctx), reflect.ValueOf(org.ID)}
			for j := 3; j < ft.NumIn(); j++ {
				args = append(args, zeroArg(ft.In(j), m.ID))
			}
			out := svc.Method(i).Call(args)
			errV := out[len(out)-1]
			if errV.IsNil() {
				t.Errorf("%s: %s succeeded", method.Name, who.name)
				continue
			}
			err := errV.Interface().(error)
			code := paraph.ErrorCode(err)
			ok := false
			for _, w := range who.want {
				ok = ok || code == w
			}
			// Input checked before membership is fine too: nothing was done.
			if !ok && code != paraph.EINVALID {
				t.Errorf("%s: %s got %s (%v), want %v", method.Name, who.name, code, err, who.want)
			}
		}
		checked++
	}
	if checked < 20 {
		t.Fatalf("only %d organization methods checked; the reflection no longer finds them", checked)
	}
}

// takesOrg tells the methods whose second argument is an organization id.
func takesOrg(name string) bool {
	for _, skip := range []string{"Confirm", "Login", "Register", "Resend", "RequestPasswordReset", "ResetPassword", "ChangePassword",
		"RequestLoginChange", "ConfirmLoginChange", "CreatePersonalToken", "RevokePersonalToken", "Authenticate", "Deliver",
		"DevMessages", "LookupInvitation", "AcceptInvitation", "SetInstanceAdmin", "AddTrustRoot", "RemoveTrustRoot",
		"CertificateChallenge", "LoginWithCertificate", "CreateActiveAccount",
		// Document-scoped (the second argument is a document id): TestDocumentAccess.
		"Document", "OpenDocumentFile", "SetRoute", "Send", "Decline", "Revoke", "PrepareSignature", "CompleteSignature", "SubmitSignature", "Remind", "RequestMemberSigningCode", "SignAsMember", "DocumentHistory",
		"DocumentFinal", "OpenFinal",
		// The job's handler: the document id comes from the queue, not a person.
		"BuildFinal",
		// The signing link is the credential (TestSimpleSignatureByLink).
		"LookupSigningLink", "OpenDocumentByLink", "RequestSigningCode", "SignByLink",
		// The final PDF's public id is the credential (internal/api TestFinalPDFAndPublicVerification).
		"OpenPublicFinal", "PublicDocumentReport"} {
		if name == skip {
			return false
		}
	}
	return !strings.HasPrefix(name, "Verify")
}

// zeroArg makes a harmless argument of a type: a member id for strings (so
// member-scoped methods reach their authorization), zero values otherwise.
func zeroArg(t reflect.Type, memberID string) reflect.Value {
	switch t.Kind() {
	case reflect.String:
		return reflect.ValueOf(memberID).Convert(t)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return reflect.ValueOf([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")).Convert(t)
		}
	}
	return reflect.Zero(t)
}
