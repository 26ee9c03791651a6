package reports

import (
	"bytes"
	_ "embed"
	"html/template"
	"io"
)

// summaryHTMLTemplate is the summary page, styles inline, written as
// well-formed markup like the report's page.
//
//go:embed summary.html.tmpl
var summaryHTMLTemplate string

var summaryPageTemplate = template.Must(template.New("summary").Parse(summaryHTMLTemplate))

// WriteHTML writes the summary as one self-contained HTML page: styles
// inline, every text escaped, and relative links to each scenario's
// report.
func (s *Summary) WriteHTML(w io.Writer) error {
	d, err := s.doc()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := summaryPageTemplate.Execute(&buf, d); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}
