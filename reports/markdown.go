package reports

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown: tables as
// pipe tables, plots as images referred to by their file names (Plot.File),
// so the PNGs belong in the same folder as the Markdown file. It does not
// write the PNGs; WriteReport does.
func (r *Report) WriteMarkdown(w io.Writer) error {
	m := &mdWriter{w: w}
	d := &r.doc
	m.printf("# %s\n\n", mdText(d.Title))
	if len(d.Warnings) > 0 {
		m.printf("> [!WARNING]\n> **Read this first.**\n>\n")
		for _, x := range d.Warnings {
			m.printf("> - %s\n", mdText(x))
		}
		m.printf("\n")
	}
	for _, p := range d.Intro {
		m.printf("%s\n\n", mdText(p))
	}
	for _, s := range d.Sections {
		m.printf("## %s\n\n", mdText(s.Title))
		if s.Window != "" {
			m.printf("*Window:* %s\n\n", mdText(s.Window))
		}
		for _, b := range s.Blocks {
			m.block(b)
		}
	}
	return m.err
}

// mdWriter writes Markdown, keeping the first error.
type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) block(b block) {
	switch {
	case b.Para != "":
		m.printf("%s\n\n", mdText(b.Para))
	case len(b.List) > 0:
		for _, x := range b.List {
			m.printf("- %s\n", mdText(x))
		}
		m.printf("\n")
	case b.Table != nil:
		m.table(b.Table)
	case b.Figure != nil:
		f := b.Figure
		m.printf("![%s](%s)\n\n", mdText(f.Plot.Title), f.Plot.File)
		if f.Caption != "" {
			m.printf("*%s*\n\n", mdText(f.Caption))
		}
	case b.Code != "":
		fence := "```"
		for strings.Contains(b.Code, fence) {
			fence += "`"
		}
		m.printf("%ssh\n%s\n%s\n\n", fence, b.Code, fence)
	}
}

func (m *mdWriter) table(t *table) {
	cells := func(cs []string) {
		m.printf("|")
		for _, c := range cs {
			m.printf(" %s |", mdCell(c))
		}
		m.printf("\n")
	}
	cells(t.Head)
	m.printf("|")
	for i := range t.Head {
		if t.align(i) == 'r' {
			m.printf(" ---: |")
		} else {
			m.printf(" --- |")
		}
	}
	m.printf("\n")
	for _, r := range t.Rows {
		cells(r.Cells)
	}
	m.printf("\n")
}

// mdEscaper escapes the characters that Markdown would read as markup
// anywhere in a line.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `\<`, `|`, `\|`, `~`, `\~`, `&`, `&amp;`,
)

// mdText escapes s as the text of one Markdown paragraph, list item or
// heading: literal, whatever it holds, on one line.
func mdText(s string) string {
	s = mdCell(s)
	// Markup that only counts at the start of a line.
	if s != "" && strings.ContainsRune("#>-+=", rune(s[0])) {
		return `\` + s
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }); i > 0 && (s[i] == '.' || s[i] == ')') &&
		(i+1 == len(s) || s[i+1] == ' ') {
		return s[:i] + `\` + s[i:] // "1. " would start an ordered list
	}
	return s
}

// mdCell escapes s as the text of a table cell, which holds inline
// markup only: literal, on one line.
func mdCell(s string) string {
	return mdEscaper.Replace(strings.Join(strings.Fields(s), " "))
}
