package paraph

// This file decides whether a person may sign for an organization with a
// given certificate, and which power of attorney (МЧД) makes it so. It is
// the check used at signing time; parsing certificates and МЧД files
// happens elsewhere (pki, poa), this only compares what they found.

// SignerIdentity is what a certificate says about its holder.
type SignerIdentity struct {
	INN    string // the person's INN (12 digits)
	SNILS  string // 11 digits
	INNLE  string // the organization's INN, in a certificate issued for it
	OGRN   string // OGRN or OGRNIP of the organization the certificate names
	EDRPOU string // Ukraine: the organization's code in the certificate
	RNOKPP string // Ukraine: the person's code
}

// POAStatus values as core derives them.
const (
	POAActive   = "active"
	POAExpiring = "expiring"
	POAExpired  = "expired"
	POARevoked  = "revoked"
)

// POACandidate is a power of attorney held by the member, reduced to what
// the decision needs.
type POACandidate struct {
	ID                  string
	Number              string
	IsMain              bool
	Status              string // POAActive, POAExpiring, POAExpired (also not yet valid) or POARevoked
	PrincipalINN        string
	PrincipalOGRN       string
	RepresentativeINN   string
	RepresentativeSNILS string
	Powers              []string // machine-readable power codes
}

// Authority is the answer: whether a МЧД is needed, which one applies, or
// why none does (Reason, a stable code, and a safe Message).
type Authority struct {
	NeedsPOA bool
	POA      *POACandidate
	Reason   string
	Message  string
}

// OK reports whether the signer may sign for the organization.
func (a Authority) OK() bool { return a.Reason == "" }

// CheckAuthority decides whether a certificate lets its holder sign for org.
// A certificate naming the organization itself (INNLE/OGRN, or EDRPOU in
// Ukraine) is its head's: no МЧД. A certificate naming another organization
// never signs for this one. A personal certificate signs for a Russian
// organization only with a МЧД whose principal is the organization, whose
// representative is this person (by INN or SNILS), which is active, and which
// grants power (when power is not ""). The main МЧД is tried first.
func CheckAuthority(org *Organization, id SignerIdentity, poas []POACandidate, power string) Authority {
	switch org.Country {
	case CountryRU:
		if id.INNLE != "" || (id.OGRN != "" && len(id.OGRN) == 13) {
			if (id.INNLE != "" && id.INNLE == org.INN) || (id.INNLE == "" && id.OGRN == org.OGRN) {
				return Authority{}
			}
			return deny("certificate_other_organization", "The certificate was issued for another organization.")
		}
		if org.Kind == OrgIndividual && id.INN != "" && id.INN == org.INN {
			return Authority{} // a sole proprietor signs for themselves
		}
	case CountryUA:
		if id.EDRPOU != "" {
			if id.EDRPOU == org.EDRPOU {
				return Authority{}
			}
			return deny("certificate_other_organization", "The certificate was issued for another organization.")
		}
		if org.Kind == OrgIndividual && id.RNOKPP != "" && id.RNOKPP == org.RNOKPP {
			return Authority{}
		}
		// Ukraine has no МЧД: a personal certificate signs as an employee,
		// with the organization's own rules deciding who may.
		return Authority{}
	default:
		// Belarus: no machine-readable powers of attorney either.
		return Authority{}
	}

	a := Authority{NeedsPOA: true}
	if len(poas) == 0 {
		a.Reason, a.Message = "poa_missing", "The certificate is personal: a machine-readable power of attorney (МЧД) from the organization is needed."
		return a
	}
	ordered := make([]POACandidate, 0, len(poas))
	for _, p := range poas {
		if p.IsMain {
			ordered = append(ordered, p)
		}
	}
	for _, p := range poas {
		if !p.IsMain {
			ordered = append(ordered, p)
		}
	}
	var first Authority
	for i, p := range ordered {
		why := poaMismatch(org, id, p, power)
		if why.Reason == "" {
			chosen := p
			return Authority{NeedsPOA: true, POA: &chosen}
		}
		if i == 0 {
			first = why
		}
	}
	a.Reason, a.Message = first.Reason, first.Message
	return a
}

// poaMismatch says why one МЧД does not fit, or returns an empty Authority.
func poaMismatch(org *Organization, id SignerIdentity, p POACandidate, power string) Authority {
	switch {
	case p.Status == POARevoked:
		return deny("poa_revoked", "The power of attorney "+p.Number+" is revoked.")
	case p.Status == POAExpired:
		return deny("poa_expired", "The power of attorney "+p.Number+" is not valid now (expired or not yet in force).")
	case p.PrincipalINN != org.INN && (p.PrincipalOGRN == "" || p.PrincipalOGRN != org.OGRN):
		return deny("poa_principal_mismatch", "The power of attorney "+p.Number+" was issued by another organization.")
	case !(p.RepresentativeINN != "" && p.RepresentativeINN == id.INN) && !(p.RepresentativeSNILS != "" && p.RepresentativeSNILS == id.SNILS):
		return deny("poa_representative_mismatch", "The power of attorney "+p.Number+" names another representative than the certificate's holder (INN and SNILS differ).")
	case power != "" && !contains(p.Powers, power):
		return deny("poa_no_power", "The power of attorney "+p.Number+" does not grant the power "+power+".")
	}
	return Authority{}
}

func deny(reason, message string) Authority {
	return Authority{Reason: reason, Message: message}
}
