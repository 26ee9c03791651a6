// Package reports renders results: the terminal table, the Markdown and
// HTML reports with their plots, the summary index of several runs, the
// benchstat and BMF formats, and the regression gate against a baseline.
// The results data model, results files, metrics and the list of measures
// the renderings show live in package reports/result, which simulation
// code imports without pulling in plots or templates.
package reports
