// Package chart renders the weekly outcome chart that the Friday digest DMs
// to each subscribed manager.
//
// It draws with gonum.org/v1/plot, whose fonts are embedded (Liberation), so
// rendering needs neither cgo nor system fonts and works in a static binary on
// a distroless image. Output depends only on the input: no clock, no
// randomness, so the same weeks always give the same PNG bytes.
package chart

import (
	"bytes"
	"errors"
	"fmt"
	"image/png"
	"math"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Week is one week's counts. Start is the Monday the week begins (in the user's timezone).
type Week struct {
	Start   time.Time
	Done    int
	NotYet  int
	Skipped int
}

// Size of the rendered image in pixels.
const Width, Height = 800, 450

// ErrNoWeeks is returned by WeeklyOutcomes when it is given no weeks.
var ErrNoWeeks = errors.New("chart: no weeks to plot")

// dpi is 72 so that one vg point is one pixel: every length and font size in
// this package reads directly as pixels of the 800×450 image.
const dpi = 72

// WeeklyOutcomes renders a stacked bar chart of weeks (oldest first,
// typically 8) as a PNG of Width x Height pixels: one bar per week, Done at
// the bottom, then Not yet, then Skipped, with the week's total above it.
// Stacked rather than grouped because at Slack's ~360 px preview eight
// stacks stay wide enough to see, where 24 grouped bars would be slivers.
// title is shown at the top (e.g. "Your last 8 weeks with Lead Coach"); a
// title too long for one line is shrunk, then wrapped onto two lines, then
// cut with an ellipsis, so it is never clipped.
// It returns ErrNoWeeks if weeks is empty, an error if a count is negative,
// and an error if rendering fails; the PNG is nil in every error case.
func WeeklyOutcomes(weeks []Week, title string) ([]byte, error) {
	if len(weeks) == 0 {
		return nil, ErrNoWeeks
	}
	for _, w := range weeks {
		if w.Done < 0 || w.NotYet < 0 || w.Skipped < 0 {
			return nil, fmt.Errorf("chart: negative count in week of %s", w.Start.Format(time.DateOnly))
		}
	}

	img := vgimg.NewWith(
		vgimg.UseWH(Width, Height),
		vgimg.UseDPI(dpi),
		vgimg.UseBackgroundColor(rgb(whiteRGB)),
	)
	c := draw.New(img)
	c = draw.Crop(c, margin, -margin, margin, -margin)

	c = drawTitle(c, title)
	c = drawLegend(c)

	p, err := newPlot(weeks, c)
	if err != nil {
		return nil, fmt.Errorf("build weekly chart: %w", err)
	}
	p.Draw(c)

	var buf bytes.Buffer
	if err := png.Encode(&buf, img.Image()); err != nil {
		return nil, fmt.Errorf("encode weekly chart: %w", err)
	}
	return buf.Bytes(), nil
}

// margin is the white border kept clear on every side of the image.
const margin vg.Length = 18

// A bar fills barFraction of its week's slot, but no more than maxBarWidth,
// so that a chart of one or two weeks doesn't turn into a wall of colour.
const (
	barFraction           = 0.62
	maxBarWidth vg.Length = 64
)

// newPlot builds the axes, grid, bars and totals for weeks, sized for the
// area c that is left once the title and legend are drawn.
func newPlot(weeks []Week, c draw.Canvas) (*plot.Plot, error) {
	p := plot.New()
	p.BackgroundColor = nil // the canvas is already white

	top, step := yScale(weeks)
	labels := make([]string, len(weeks))
	for i, w := range weeks {
		labels[i] = w.Start.Format("Jan 2")
	}
	p.NominalX(labels...)
	styleAxes(p, top, step)
	// NominalX pads the Y axis by half a label; the half slot of air
	// at either end of the X axis already keeps the first label clear.
	p.Y.Padding = 0

	stacks, err := newStacks(weeks)
	if err != nil {
		return nil, err
	}
	baseline, err := newBaseline(len(weeks))
	if err != nil {
		return nil, err
	}
	p.Add(newGrid())
	for _, s := range stacks {
		p.Add(s)
	}
	p.Add(baseline)

	setRanges(p, len(weeks), top)

	slot := p.DataCanvas(c).Size().X / vg.Length(len(weeks))
	thinLabels(p, labels, slot)
	slot = p.DataCanvas(c).Size().X / vg.Length(len(weeks))
	for _, s := range stacks {
		s.Width = min(slot*barFraction, maxBarWidth)
	}

	if totalsFit(weeks, slot) {
		totals, err := newTotals(weeks)
		if err != nil {
			return nil, err
		}
		p.Add(totals)
		setRanges(p, len(weeks), top)
	}
	return p, nil
}

// setRanges sets the axis ranges for n weeks and a Y axis up to top. Plot.Add
// widens the ranges to fit the data, so it is called after each Add. One
// slot per week, with half a slot of air at either end, spaces the bars
// evenly and keeps them off the Y axis labels.
func setRanges(p *plot.Plot, n, top int) {
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = 0, float64(top)
}

// labelGap is the least space between two neighbouring week labels.
const labelGap vg.Length = 8

// thinLabels blanks week labels so that those left never overlap when slot,
// the width per week, is narrower than a label. The newest week always keeps
// its label because that is the week the digest is about.
func thinLabels(p *plot.Plot, labels []string, slot vg.Length) {
	sty := weekLabelStyle()
	var widest vg.Length
	for _, l := range labels {
		widest = max(widest, sty.Width(l))
	}
	every := len(labels)
	if slot > 0 {
		every = int(math.Ceil(float64((widest + labelGap) / slot)))
	}
	if every <= 1 {
		return
	}
	ticks := make(plot.ConstantTicks, len(labels))
	last := len(labels) - 1
	for i, l := range labels {
		ticks[i].Value = float64(i)
		if (last-i)%every == 0 {
			ticks[i].Label = l
		}
	}
	p.X.Tick.Marker = ticks
}
