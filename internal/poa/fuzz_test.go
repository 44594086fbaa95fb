package poa_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"paraph/internal/poa"
	"paraph/internal/poa/poatest"
)

// FuzzParse feeds Parse arbitrary bytes: it must never panic or hang, must
// return either a document or an *Error of one of the known classes, and a
// document it returns must hold the input as Raw and its required parts.
// The committed corpus (testdata/fuzz/FuzzParse) holds the samples and the
// refused shapes; the seeds below add the builder's variants.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	d := poatest.Default()
	d.Text = "Текст полномочий"
	d.Irrevocable = true
	f.Add(d.XML())
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := poa.Parse(data)
		if err != nil {
			var pe *poa.Error
			if p != nil || !errors.As(err, &pe) {
				t.Fatalf("got %v with %T %v", p, err, err)
			}
			for _, class := range []error{poa.ErrTooLarge, poa.ErrUnsafeXML, poa.ErrMalformed, poa.ErrNotPOA, poa.ErrInvalid} {
				if errors.Is(err, class) {
					return
				}
			}
			t.Fatalf("error of no class: %v", err)
		}
		if &p.Raw[0] != &data[0] || len(p.Raw) != len(data) {
			t.Fatal("Raw is not the input")
		}
		if p.Number == "" || len(p.Principals)+len(p.Representatives) == 0 || len(p.Powers) == 0 || p.ValidUntil.Before(p.IssuedOn) {
			t.Fatalf("accepted an incomplete power of attorney: %+v", p)
		}
		p.Status(p.IssuedOn)
	})
}
