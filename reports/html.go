package reports

import (
	"bytes"
	_ "embed"
	"encoding/base64"
	"html/template"
	"image/png"
	"io"
)

// htmlTemplate is the page: CSS inline, for screen (light or dark) and for
// print (light, tables and plots kept whole across pages). It is written
// as well-formed markup (void elements closed with "/>") so that a strict
// XML parser can check every page the tests make.
//
//go:embed report.html.tmpl
var htmlTemplate string

var pageTemplate = template.Must(template.New("report").Parse(htmlTemplate))

// WriteHTML writes the report as one self-contained HTML page: styles
// inline and every plot embedded as a base64 PNG data URI, so the file
// needs nothing else, network included. Every text is escaped.
func (r *Report) WriteHTML(w io.Writer) error {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, htmlPageOf(&r.doc)); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// The view of a document for the template.
type (
	htmlPage struct {
		Title    string
		Intro    []string
		Warnings []string
		Sections []htmlSection
	}
	htmlSection struct {
		ID, Title, Window string
		Blocks            []htmlBlock
	}
	htmlBlock struct {
		Para   string
		List   []string
		Table  *htmlTable
		Figure *htmlFigure
		Code   string
	}
	htmlTable struct {
		Head []htmlCell
		Rows []htmlRow
	}
	htmlRow struct {
		Class string
		Cells []htmlCell
	}
	htmlCell   struct{ Text, Class string }
	htmlFigure struct {
		// Src is the src attribute: a data: URI made here from PNG bytes
		// (base64 holds no quote or markup), so it is marked safe for the
		// template, which would otherwise write every "+" as "&#43;".
		Src           template.HTMLAttr
		Alt, Caption  string
		Width, Height int
	}
)

func htmlPageOf(d *document) htmlPage {
	p := htmlPage{Title: d.Title, Intro: d.Intro, Warnings: d.Warnings}
	for _, s := range d.Sections {
		hs := htmlSection{ID: s.ID, Title: s.Title, Window: s.Window}
		for _, b := range s.Blocks {
			hs.Blocks = append(hs.Blocks, htmlBlockOf(b))
		}
		p.Sections = append(p.Sections, hs)
	}
	return p
}

func htmlBlockOf(b block) htmlBlock {
	out := htmlBlock{Para: b.Para, List: b.List, Code: b.Code}
	if t := b.Table; t != nil {
		ht := &htmlTable{}
		for i, h := range t.Head {
			ht.Head = append(ht.Head, htmlCell{Text: h, Class: string(t.align(i))})
		}
		for _, r := range t.Rows {
			hr := htmlRow{Class: r.Mark}
			for i, c := range r.Cells {
				hr.Cells = append(hr.Cells, htmlCell{Text: c, Class: string(t.align(i))})
			}
			ht.Rows = append(ht.Rows, hr)
		}
		out.Table = ht
	}
	if f := b.Figure; f != nil {
		hf := &htmlFigure{
			Src:     template.HTMLAttr(`src="data:image/png;base64,` + base64.StdEncoding.EncodeToString(f.Plot.PNG) + `"`),
			Alt:     f.Plot.Title,
			Caption: f.Caption,
		}
		if cfg, err := png.DecodeConfig(bytes.NewReader(f.Plot.PNG)); err == nil {
			hf.Width, hf.Height = cfg.Width, cfg.Height
		}
		out.Figure = hf
	}
	return out
}
