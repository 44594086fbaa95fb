package pdf

// This file puts the pages rendered with fpdf together with the original's
// pages using pdfcpu: stamps become form XObjects drawn over the original's
// pages, the protocol pages are appended, the files are attached, and the
// result is written so that the same input gives the same bytes.

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

var disableConfigDir sync.Once

// pdfcpuConfig is pdfcpu's default configuration without its configuration
// directory: left alone, pdfcpu would create ~/.config/pdfcpu on a server
// the first time it runs. The setting is pdfcpu's, process-wide, so it is
// made once.
func pdfcpuConfig() *model.Configuration {
	disableConfigDir.Do(api.DisableConfigDir)
	c := model.NewDefaultConfiguration()
	c.ValidationMode = model.ValidationRelaxed
	c.Offline = true
	// Plain objects and a plain cross-reference table: writeCanonical reads
	// the written file back by its xref to put the objects in order.
	c.WriteObjectStream = false
	c.WriteXRefStream = false
	c.Optimize = false
	c.OptimizeBeforeWriting = false
	c.CreateBookmarks = false
	return c
}

// errUnreadable is why an original PDF is attached instead of stamped.
var errUnreadable = errors.New("original PDF cannot be stamped")

// readOriginal reads a PDF original that can take stamps: one pdfcpu reads
// and validates, with at least one page, not encrypted (changing an
// encrypted file would mean decrypting it, and an owner's password forbids
// exactly that) and not signed already.
func readOriginal(b []byte) (*model.Context, error) {
	ctx, err := api.ReadAndValidate(bytes.NewReader(b), pdfcpuConfig())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUnreadable, err)
	}
	if ctx.Encrypt != nil || ctx.E != nil {
		return nil, fmt.Errorf("%w: encrypted", errUnreadable)
	}
	// Stamping rewrites the file, which would break the original's own PDF
	// signatures on the stamped pages; they stay whole in the attachment.
	if ctx.SignatureExist || ctx.AppendOnly || len(ctx.Signatures) > 0 {
		return nil, fmt.Errorf("%w: it carries PDF signatures of its own", errUnreadable)
	}
	if err := ctx.EnsurePageCount(); err != nil || ctx.PageCount < 1 {
		return nil, fmt.Errorf("%w: no pages", errUnreadable)
	}
	return ctx, nil
}

// readRendered reads a PDF this package just wrote with fpdf.
func readRendered(b []byte) (*model.Context, error) {
	ctx, err := pdfcpu.Read(bytes.NewReader(b), pdfcpuConfig())
	if err != nil {
		return nil, fmt.Errorf("read rendered pages: %w", err)
	}
	if err := ctx.EnsurePageCount(); err != nil {
		return nil, fmt.Errorf("read rendered pages: %w", err)
	}
	return ctx, nil
}

// page is one page of the original as a reader sees it.
type page struct {
	w, h float64 // mm, with the page's rotation applied
	// the visible box in the page's own coordinates (points) and the
	// clockwise rotation a viewer applies to it
	box    *types.Rectangle
	rotate int
}

// pages returns the geometry of the pages of ctx that may take stamps:
// the last one and those named by want (page numbers from 1); the others
// are left zero. Finding a page walks the page tree, so a long document
// is not walked once for each of its pages.
func pages(ctx *model.Context, want []int) ([]page, error) {
	out := make([]page, ctx.PageCount)
	for _, n := range append(want, ctx.PageCount) {
		i := n - 1
		if i < 0 || i >= len(out) || out[i].box != nil {
			continue
		}
		_, _, attrs, err := ctx.PageDict(i+1, false)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		box := attrs.CropBox
		if box == nil {
			box = attrs.MediaBox
		}
		if box == nil || box.Width() <= 0 || box.Height() <= 0 {
			return nil, fmt.Errorf("page %d: no media box", i+1)
		}
		rot := ((attrs.Rotate % 360) + 360) % 360
		if rot%90 != 0 {
			rot = 0 // not a valid /Rotate; viewers ignore it
		}
		w, h := box.Width()*mmPerPt, box.Height()*mmPerPt
		if rot == 90 || rot == 270 {
			w, h = h, w
		}
		out[i] = page{w: w, h: h, box: box, rotate: rot}
	}
	return out, nil
}

const mmPerPt = 25.4 / 72

// matrix maps the coordinates of an fpdf page of the page's size as shown
// (points, origin bottom left) into the page's own coordinates.
func (p page) matrix() [6]float64 {
	llx, lly, w, h := p.box.LL.X, p.box.LL.Y, p.box.Width(), p.box.Height()
	switch p.rotate {
	case 90:
		return [6]float64{0, 1, -1, 0, llx + w, lly}
	case 180:
		return [6]float64{-1, 0, 0, -1, llx + w, lly + h}
	case 270:
		return [6]float64{0, -1, 1, 0, llx, lly + h}
	}
	return [6]float64{1, 0, 0, 1, llx, lly}
}

// copier copies objects from one PDF into another, numbering them in a
// fixed order (pdfcpu's own merge walks Go maps, so its numbers change from
// run to run).
type copier struct {
	src, dst *model.Context
	done     map[int]types.IndirectRef
}

func newCopier(src, dst *model.Context) *copier {
	return &copier{src: src, dst: dst, done: map[int]types.IndirectRef{}}
}

func (c *copier) copy(o types.Object) (types.Object, error) {
	switch o := o.(type) {
	case types.IndirectRef:
		if ir, ok := c.done[o.ObjectNumber.Value()]; ok {
			return ir, nil
		}
		obj, err := c.src.Dereference(o)
		if err != nil {
			return nil, err
		}
		// The number is taken before the object's own references are
		// followed, so a cycle ends here.
		ir, err := c.dst.IndRefForNewObject(nil)
		if err != nil {
			return nil, err
		}
		c.done[o.ObjectNumber.Value()] = *ir
		cp, err := c.copy(obj)
		if err != nil {
			return nil, err
		}
		c.dst.Table[ir.ObjectNumber.Value()].Object = cp
		return *ir, nil
	case types.Dict:
		return c.copyDict(o)
	case types.StreamDict:
		d, err := c.copyDict(o.Dict)
		if err != nil {
			return nil, err
		}
		o.Dict = d
		return o, nil
	case types.Array:
		a := make(types.Array, len(o))
		for i, v := range o {
			cp, err := c.copy(v)
			if err != nil {
				return nil, err
			}
			a[i] = cp
		}
		return a, nil
	}
	return o, nil
}

func (c *copier) copyDict(d types.Dict, skip ...string) (types.Dict, error) {
	keys := make([]string, 0, len(d))
	for k := range d {
		if !slices.Contains(skip, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := types.NewDict()
	for _, k := range keys {
		cp, err := c.copy(d[k])
		if err != nil {
			return nil, err
		}
		out[k] = cp
	}
	return out, nil
}

// stampOnto draws page src of the rendered PDF over page target of dst as a
// form XObject, mapped by m. The target's own content is wrapped in q…Q so
// that whatever graphics state it leaves does not reach the stamp.
func (c *copier) stampOnto(srcPage, target int, m [6]float64) error {
	sd, _, sattrs, err := c.src.PageDict(srcPage, false)
	if err != nil {
		return fmt.Errorf("stamp page %d: %w", srcPage, err)
	}
	contents, ok := sd.Find("Contents")
	if !ok {
		return nil // nothing drawn on it
	}
	content, err := c.copy(contents)
	if err != nil {
		return fmt.Errorf("stamp page %d: %w", srcPage, err)
	}
	ir, ok := content.(types.IndirectRef)
	if !ok {
		return fmt.Errorf("stamp page %d: contents are not one stream", srcPage)
	}
	form, ok := c.dst.Table[ir.ObjectNumber.Value()].Object.(types.StreamDict)
	if !ok {
		return fmt.Errorf("stamp page %d: contents are not one stream", srcPage)
	}
	res, err := c.copy(sd["Resources"])
	if err != nil {
		return fmt.Errorf("stamp page %d: resources: %w", srcPage, err)
	}
	form.InsertName("Type", "XObject")
	form.InsertName("Subtype", "Form")
	form.Insert("BBox", sattrs.MediaBox.Array())
	form.Insert("Matrix", types.NewNumberArray(m[:]...))
	form.Insert("Resources", res)
	c.dst.Table[ir.ObjectNumber.Value()].Object = form

	d, _, attrs, err := c.dst.PageDict(target, false)
	if err != nil {
		return fmt.Errorf("page %d: %w", target, err)
	}
	// The page's resources may be inherited or shared with other pages:
	// the page gets its own copy with the stamp added.
	resources := types.NewDict()
	if attrs.Resources != nil {
		resources = attrs.Resources.Clone().(types.Dict)
	}
	xobjects := types.NewDict()
	if o, ok := resources.Find("XObject"); ok {
		x, err := c.dst.DereferenceDict(o)
		if err != nil {
			return fmt.Errorf("page %d: XObject resources: %w", target, err)
		}
		if x != nil {
			xobjects = x.Clone().(types.Dict)
		}
	}
	name := "ParaphStamp"
	for i := 1; ; i++ {
		if _, taken := xobjects[name]; !taken {
			break
		}
		name = "ParaphStamp" + strconv.Itoa(i)
	}
	xobjects[name] = ir
	resources["XObject"] = xobjects
	d["Resources"] = resources

	var parts types.Array
	if o, ok := d.Find("Contents"); ok && o != nil {
		o, err := c.dst.Dereference(o)
		if err != nil {
			return fmt.Errorf("page %d: contents: %w", target, err)
		}
		switch o := o.(type) {
		case types.Array:
			parts = append(parts, o...)
		case types.StreamDict:
			parts = append(parts, d["Contents"])
		}
	}
	var all types.Array
	if len(parts) > 0 {
		q, err := c.newStream("q\n")
		if err != nil {
			return err
		}
		all = append(append(all, q), parts...)
	}
	tail, err := c.newStream("Q\nq /" + name + " Do Q\n")
	if len(parts) == 0 {
		tail, err = c.newStream("q /" + name + " Do Q\n")
	}
	if err != nil {
		return err
	}
	d["Contents"] = append(all, tail)
	return nil
}

func (c *copier) newStream(content string) (types.IndirectRef, error) {
	sd := types.NewStreamDict(types.NewDict(), 0, nil, nil, nil)
	sd.Content = []byte(content)
	if err := sd.Encode(); err != nil {
		return types.IndirectRef{}, err
	}
	ir, err := c.dst.IndRefForNewObject(sd)
	if err != nil {
		return types.IndirectRef{}, err
	}
	return *ir, nil
}

// appendPage adds page srcPage of the rendered PDF at the end of dst.
func (c *copier) appendPage(srcPage int) error {
	sd, sir, _, err := c.src.PageDict(srcPage, false)
	if err != nil {
		return fmt.Errorf("page %d: %w", srcPage, err)
	}
	rootRef, err := c.dst.Pages()
	if err != nil {
		return err
	}
	root, err := c.dst.DereferenceDict(*rootRef)
	if err != nil {
		return err
	}
	ir, err := c.dst.IndRefForNewObject(nil)
	if err != nil {
		return err
	}
	c.done[sir.ObjectNumber.Value()] = *ir
	d, err := c.copyDict(sd, "Parent")
	if err != nil {
		return fmt.Errorf("page %d: %w", srcPage, err)
	}
	// Attributes the original's page tree may pass down must not turn or
	// crop a page of ours.
	d["Parent"] = *rootRef
	d["Rotate"] = types.Integer(0)
	if mb, ok := d.Find("MediaBox"); ok {
		d["CropBox"] = mb
	}
	c.dst.Table[ir.ObjectNumber.Value()].Object = d
	kids := root.ArrayEntry("Kids")
	root["Kids"] = append(kids, *ir)
	if n := root.IntEntry("Count"); n != nil {
		root["Count"] = types.Integer(*n + 1)
	}
	c.dst.PageCount++
	return nil
}

// dropAttachments removes the original's own embedded files from the
// stamped copy: they stay, byte for byte, inside the attached original,
// and the final PDF's attachments are then exactly the original and the
// signatures, with no name that could mean two files.
func dropAttachments(ctx *model.Context) error {
	root, err := ctx.Catalog()
	if err != nil {
		return err
	}
	if o, ok := root.Find("Names"); ok {
		names, err := ctx.DereferenceDict(o)
		if err != nil {
			return fmt.Errorf("names: %w", err)
		}
		if names != nil {
			names.Delete("EmbeddedFiles")
		}
	}
	delete(ctx.Names, "EmbeddedFiles")
	return nil
}

// attach embeds files in ctx as document attachments (EmbeddedFiles).
func attach(ctx *model.Context, files []Attachment, modTime time.Time) error {
	for _, a := range files {
		mt := modTime
		err := ctx.AddAttachment(model.Attachment{Reader: bytes.NewReader(a.Data), ID: a.Name, Desc: a.Description, ModTime: &mt}, false)
		if err != nil {
			return fmt.Errorf("attach %s: %w", a.Name, err)
		}
	}
	return nil
}

// writeCanonical writes ctx so that the same context gives the same bytes:
// pdfcpu writes objects in the order it meets them while walking Go maps,
// and stamps the file with the clock (ID, CreationDate, ModDate). The
// objects are put in the order of their numbers, the dates set to date and
// the file ID made a hash of the content.
func writeCanonical(ctx *model.Context, date time.Time) ([]byte, error) {
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, err
	}
	return canonical(buf.Bytes(), date)
}

var (
	reStartXref  = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	reSubsection = regexp.MustCompile(`^(\d+) (\d+)\r?\n`)
	reXrefEntry  = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])[ \r\n]{2}`)
	reInfoRef    = regexp.MustCompile(`/Info (\d+) 0 R`)
	reID         = regexp.MustCompile(`/ID\s*\[\s*<[0-9A-Fa-f]*>\s*<[0-9A-Fa-f]*>\s*\]`)
	reDates      = regexp.MustCompile(`/(CreationDate|ModDate)\s*\(D:[^)]*\)`)
)

// xrefEntry is one line of a cross-reference table; an object in use has
// its body, the bytes from "N G obj" to the next object.
type xrefEntry struct {
	nr, gen, off int
	inUse        bool
	line         string // a free entry's line, kept as it was
	body         []byte
}

// canonical reorders a PDF written by pdfcpu with a plain xref table by
// object number, with its Info dates set to date and its ID a hash of the
// content. Anything else than pdfcpu's plain output is an error.
func canonical(pdf []byte, date time.Time) ([]byte, error) {
	m := reStartXref.FindSubmatch(pdf)
	if m == nil {
		return nil, errors.New("canonical: no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref <= 0 || xref+5 >= len(pdf) || !bytes.HasPrefix(pdf[xref:], []byte("xref")) {
		return nil, errors.New("canonical: no plain xref table")
	}
	pos := xref + 4
	for pos < len(pdf) && (pdf[pos] == '\r' || pdf[pos] == '\n') {
		pos++
	}
	type subsection struct {
		start   int
		entries []*xrefEntry
	}
	var subs []subsection
	var used []*xrefEntry
	for {
		h := reSubsection.FindSubmatch(pdf[pos:])
		if h == nil {
			break
		}
		start, _ := strconv.Atoi(string(h[1]))
		count, _ := strconv.Atoi(string(h[2]))
		pos += len(h[0])
		sub := subsection{start: start}
		for i := range count {
			if pos+20 > len(pdf) {
				return nil, errors.New("canonical: short xref table")
			}
			e := reXrefEntry.FindSubmatch(pdf[pos : pos+20])
			if e == nil {
				return nil, fmt.Errorf("canonical: bad xref entry for object %d", start+i)
			}
			x := &xrefEntry{nr: start + i, inUse: e[3][0] == 'n', line: string(pdf[pos : pos+20])}
			x.off, _ = strconv.Atoi(string(e[1]))
			x.gen, _ = strconv.Atoi(string(e[2]))
			if x.inUse {
				used = append(used, x)
			}
			sub.entries = append(sub.entries, x)
			pos += 20
		}
		subs = append(subs, sub)
	}
	if len(subs) == 0 || !bytes.HasPrefix(pdf[pos:], []byte("trailer")) {
		return nil, errors.New("canonical: no trailer after the xref table")
	}
	trailer := pdf[pos:]
	// Each object runs from its offset to the next one's, the last to the xref.
	byOffset := slices.Clone(used)
	slices.SortFunc(byOffset, func(a, b *xrefEntry) int { return a.off - b.off })
	for i, x := range byOffset {
		end := xref
		if i+1 < len(byOffset) {
			end = byOffset[i+1].off
		}
		if x.off <= 0 || x.off >= end || !bytes.HasPrefix(pdf[x.off:], fmt.Appendf(nil, "%d %d obj", x.nr, x.gen)) {
			return nil, fmt.Errorf("canonical: object %d is not where the xref says", x.nr)
		}
		x.body = pdf[x.off:end]
	}
	header := pdf[:xref]
	if len(byOffset) > 0 {
		header = pdf[:byOffset[0].off]
	}
	info := -1
	if im := reInfoRef.FindSubmatch(trailer); im != nil {
		info, _ = strconv.Atoi(string(im[1]))
	}
	stamp := types.DateString(date)

	var out bytes.Buffer
	out.Write(header)
	slices.SortFunc(used, func(a, b *xrefEntry) int { return a.nr - b.nr })
	for _, x := range used {
		x.off = out.Len()
		body := x.body
		if x.nr == info {
			body = reDates.ReplaceAllFunc(body, func(b []byte) []byte {
				return fmt.Appendf(nil, "/%s (%s)", reDates.FindSubmatch(b)[1], stamp)
			})
		}
		out.Write(body)
	}
	sum := md5.Sum(out.Bytes())
	id := hexUpper(sum[:])
	xrefAt := out.Len()
	out.WriteString("xref\n")
	for _, sub := range subs {
		fmt.Fprintf(&out, "%d %d\n", sub.start, len(sub.entries))
		for _, x := range sub.entries {
			if x.inUse {
				fmt.Fprintf(&out, "%010d %05d n\r\n", x.off, x.gen)
			} else {
				out.WriteString(x.line)
			}
		}
	}
	t := reID.ReplaceAll(trailer, fmt.Appendf(nil, "/ID [<%s><%s>]", id, id))
	t = reStartXref.ReplaceAll(t, fmt.Appendf(nil, "startxref\n%d\n%%%%EOF\n", xrefAt))
	out.Write(t)
	return out.Bytes(), nil
}

func hexUpper(b []byte) string {
	return string(bytes.ToUpper([]byte(hex.EncodeToString(b))))
}

// Attachments reads back the files embedded in a PDF (its EmbeddedFiles),
// in the order of their names: for a final PDF, the original under
// Final.FileName, whose SHA-256 the protocol states, and the signature
// files. An offline verifier checks those bytes, not the pages.
func Attachments(r io.ReadSeeker) (files []Attachment, err error) {
	defer func() {
		if p := recover(); p != nil {
			files, err = nil, fmt.Errorf("pdf: attachments: parser panic: %v", p)
		}
	}()
	ctx, err := api.ReadAndValidate(r, pdfcpuConfig())
	if err != nil {
		return nil, fmt.Errorf("pdf: attachments: %w", err)
	}
	stubs, err := ctx.ListAttachments()
	if err != nil {
		return nil, fmt.Errorf("pdf: attachments: %w", err)
	}
	if len(stubs) == 0 {
		return nil, nil
	}
	found, err := ctx.ExtractAttachments(nil)
	if err != nil {
		return nil, fmt.Errorf("pdf: attachments: %w", err)
	}
	for _, a := range found {
		data, err := io.ReadAll(a.Reader)
		if err != nil {
			return nil, fmt.Errorf("pdf: attachment %s: %w", a.ID, err)
		}
		name := a.FileName
		if name == "" {
			name = a.ID
		}
		files = append(files, Attachment{Name: name, Description: a.Desc, Data: data})
	}
	return files, nil
}
