package chart

import (
	"fmt"
	"strconv"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// segmentGap is the width of the white outline around each segment, which
// shows where one outcome ends and the next begins.
const segmentGap vg.Length = 1.5

// newStacks returns one bar series per outcome, each stacked on the one
// before. Their widths are set by the caller once the data area is known.
func newStacks(weeks []Week) ([]*plotter.BarChart, error) {
	var stacks []*plotter.BarChart
	for _, o := range outcomes() {
		values := make(plotter.Values, len(weeks))
		for i, w := range weeks {
			values[i] = float64(o.count(w))
		}
		b, err := plotter.NewBarChart(values, 1)
		if err != nil {
			return nil, fmt.Errorf("%s bars: %w", o.name, err)
		}
		b.Color = rgb(o.rgb)
		b.LineStyle = draw.LineStyle{Color: rgb(whiteRGB), Width: segmentGap}
		if len(stacks) > 0 {
			b.StackOn(stacks[len(stacks)-1])
		}
		stacks = append(stacks, b)
	}
	return stacks, nil
}

// totalOffset lifts each total clear of the top of its bar.
const totalOffset vg.Length = 4

// totalGap is the least space between neighbouring totals.
const totalGap vg.Length = 8

// totalsFit reports whether every week's total fits in slot, the width per
// week. When they don't (many weeks, big numbers) totals are left out,
// because labels that run into each other help nobody.
func totalsFit(weeks []Week, slot vg.Length) bool {
	sty := totalStyle()
	for _, w := range weeks {
		if sty.Width(strconv.Itoa(total(w)))+totalGap > slot {
			return false
		}
	}
	return true
}

// newTotals returns a label above each bar with the week's total, so that a
// reader gets the number without tracing gridlines, and an all-zero week
// shows "0" rather than a gap that looks like missing data.
func newTotals(weeks []Week) (*plotter.Labels, error) {
	xy := plotter.XYLabels{
		XYs:    make(plotter.XYs, len(weeks)),
		Labels: make([]string, len(weeks)),
	}
	for i, w := range weeks {
		xy.XYs[i] = plotter.XY{X: float64(i), Y: float64(total(w))}
		xy.Labels[i] = strconv.Itoa(total(w))
	}
	l, err := plotter.NewLabels(xy)
	if err != nil {
		return nil, fmt.Errorf("totals: %w", err)
	}
	sty := totalStyle()
	for i := range l.TextStyle {
		l.TextStyle[i] = sty
	}
	l.Offset = vg.Point{Y: totalOffset}
	return l, nil
}

// totalStyle returns the style of the totals above the bars.
func totalStyle() text.Style {
	return textStyle(totalSize, true, inkRGB, draw.XCenter, draw.YBottom)
}

// total returns the number of nudges in w.
func total(w Week) int {
	return w.Done + w.NotYet + w.Skipped
}

// newBaseline returns the line along y = 0 across all n weeks. It is drawn
// after the bars because their white outlines would otherwise paint over
// the axis line under an empty week.
func newBaseline(n int) (*plotter.Line, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: -0.5, Y: 0}, {X: float64(n) - 0.5, Y: 0}})
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	l.LineStyle = draw.LineStyle{Color: rgb(softInkRGB), Width: 1.5}
	return l, nil
}

// newGrid returns light horizontal gridlines at the Y ticks only; vertical
// lines would cut through the bars.
func newGrid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical.Color = nil
	g.Horizontal = draw.LineStyle{Color: rgb(gridRGB), Width: 1}
	return g
}
