package web

import (
	"net/http"

	"paraph"
)

// form is one HTML form on a page: the values to show again and the
// translated errors, by field and for the form as a whole.
type form struct {
	q      *request
	name   string
	Values map[string]string
	Errors map[string]string
	Error  string // about the whole form, or a field it does not show

	// reasons, when set, is a catalog prefix tried before "reason.": the
	// domain's name_required means "enter the full name" on a person's form
	// but "enter the organization's name" on an organization's.
	reasons string
}

// secret fields are never sent back to the browser after a failed post.
func secret(field string) bool {
	switch field {
	case "password", "password2", "current_password", csrfField:
		return true
	}
	return false
}

// form returns the page's form called name, creating an empty one.
func (q *request) form(name string) *form {
	if f := q.forms[name]; f != nil {
		return f
	}
	if q.forms == nil {
		q.forms = map[string]*form{}
	}
	f := &form{q: q, name: name, Values: map[string]string{}, Errors: map[string]string{}}
	q.forms[name] = f
	return f
}

// posted returns the form called name filled with what was posted, less the
// secrets.
func (q *request) posted(name string) *form {
	f := q.form(name)
	for k := range q.r.PostForm {
		if !secret(k) {
			f.Values[k] = q.r.PostFormValue(k)
		}
	}
	return f
}

// Get returns a posted value, secrets included (they are kept out of Values).
func (f *form) Get(name string) string { return f.q.r.PostFormValue(name) }

// Set fills a value to show, e.g. a login carried in the URL.
func (f *form) Set(name, value string) *form {
	f.Values[name] = value
	return f
}

// Invalid marks a field with a catalog message; used for checks that are
// purely the form's, like "the two passwords differ".
func (f *form) Invalid(field, key string) {
	f.Errors[field] = f.q.web.cat.text(f.q.lang, key)
}

// failed puts err on the form: next to its field when the form has that
// field, otherwise above the form. It returns err back when it is not the
// person's to fix (internal, or a lost session), for wrap to handle.
func (f *form) failed(err error) error {
	code := paraph.ErrorCode(err)
	if code == paraph.EINTERNAL || paraph.ErrorReason(err) == "unauthenticated" {
		return err
	}
	msg := f.q.web.cat.errorText(f.q.lang, err)
	if key := f.reasons + paraph.ErrorReason(err); f.reasons != "" && f.q.web.cat.has(key) {
		msg = f.q.web.cat.text(f.q.lang, key)
	}
	if field := paraph.AsError(err).Field; field != "" && f.has(field) {
		f.Errors[field] = msg
	} else {
		f.Error = msg
	}
	return nil
}

// has reports whether the form shows a field: it was posted with it.
func (f *form) has(field string) bool {
	_, ok := f.q.r.PostForm[field]
	return ok || f.q.files[field]
}

// Invalidated reports whether any error is set.
func (f *form) Invalidated() bool { return f.Error != "" || len(f.Errors) > 0 }

// rerender shows the page again with the form's errors, with the status of
// err (or 422 for the form's own checks).
func (q *request) rerender(err error, page string, data any) error {
	status := http.StatusUnprocessableEntity
	if err != nil {
		status = statusOf(err)
	}
	return q.render(status, page, data)
}

// field is what the "field" partial needs to draw one labelled input.
type field struct {
	ID, Name, Type, Label, Value, Error, Hint, Autocomplete, InputMode string
	MaxLength                                                          int
	Optional                                                           bool
	OptionalText                                                       string
}

// Field describes an input of the form; label and the optional hint (help
// under the input) are catalog keys.
func (f *form) Field(name, typ, label, autocomplete string, hint ...string) field {
	fd := field{
		ID: f.name + "-" + name, Name: name, Type: typ, Label: f.q.web.cat.text(f.q.lang, label),
		Error: f.Errors[name], Autocomplete: autocomplete,
	}
	if typ != "password" {
		fd.Value = f.Values[name]
	}
	if len(hint) > 0 {
		fd.Hint = f.q.web.cat.text(f.q.lang, hint[0])
	}
	return fd
}

// Opt makes the field optional: no required attribute, and "(optional)"
// after the label.
func (f *form) Opt(fd field) field {
	fd.Optional, fd.OptionalText = true, f.q.web.cat.text(f.q.lang, "form.optional")
	return fd
}

// Code makes the input a one-time code: digits keyboard on phones, and the
// browser may fill it from an SMS.
func (fd field) Code() field {
	fd.InputMode, fd.Autocomplete, fd.MaxLength = "numeric", "one-time-code", 12
	return fd
}

// Describedby lists the ids of the hint and the error, for aria-describedby.
func (fd field) Describedby() string {
	s := ""
	if fd.Hint != "" {
		s = fd.ID + "-hint"
	}
	if fd.Error != "" {
		if s != "" {
			s += " "
		}
		s += fd.ID + "-error"
	}
	return s
}

// ID is the HTML id of a field of the form.
func (f *form) ID(name string) string { return f.name + "-" + name }

// fileField is what the "filefield" partial needs.
type fileField struct{ ID, Name, Label, Hint, Accept, Error string }

// File describes a file input of the form; label and hint are catalog keys.
func (f *form) File(name, accept, label, hint string) fileField {
	return fileField{ID: f.name + "-" + name, Name: name, Accept: accept, Error: f.Errors[name],
		Label: f.q.web.cat.text(f.q.lang, label), Hint: f.q.web.cat.text(f.q.lang, hint)}
}

// Decimal gives the input a keyboard with digits and a separator on phones.
func (fd field) Decimal() field {
	fd.InputMode = "decimal"
	return fd
}
