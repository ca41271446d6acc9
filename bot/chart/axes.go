package chart

import (
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg/draw"
)

// Axis titles.
const (
	xTitle = "Week of"
	yTitle = "Nudges"
)

// minTop is the least height of the Y axis, a working week of daily
// nudges, so that a quiet week with one nudge is not drawn as a full bar.
const minTop = 5

// maxIntervals bounds the number of gaps between Y ticks so the labels stay
// well apart at preview size.
const maxIntervals = 6

// yScale returns the top of the Y axis and the step between its ticks for
// weeks. Both are whole numbers, because nudges are counted, so no tick is
// ever 0.5; the step is 1, 2 or 5 times a power of ten, and top is the first
// multiple of step at or above the largest total.
func yScale(weeks []Week) (top, step int) {
	highest := minTop
	for _, w := range weeks {
		highest = max(highest, total(w))
	}
	for mag := 1; ; mag *= 10 {
		for _, m := range [...]int{1, 2, 5} {
			step = m * mag
			if n := (highest + step - 1) / step; n <= maxIntervals {
				return n * step, step
			}
		}
	}
}

// yTicks returns a labelled tick at every multiple of step from 0 to top.
func yTicks(top, step int) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	for v := 0; v <= top; v += step {
		ticks = append(ticks, plot.Tick{Value: float64(v), Label: strconv.Itoa(v)})
	}
	return ticks
}

// styleAxes sets fonts, titles and ticks on both axes. The X tick labels
// are set by the caller, which knows the weeks.
func styleAxes(p *plot.Plot, top, step int) {
	p.Y.Label.Text = yTitle
	p.Y.Label.TextStyle = textStyle(labelSize, false, softInkRGB, draw.XCenter, draw.YBottom)
	p.Y.Label.Padding = 10
	p.Y.Tick.Label = textStyle(labelSize, false, softInkRGB, draw.XRight, draw.YCenter)
	p.Y.Tick.Marker = yTicks(top, step)
	// The gridlines carry the ticks across; a Y axis line and tick marks
	// would only add ink.
	p.Y.Tick.Length = 0
	p.Y.LineStyle.Width = 0

	p.X.Label.Text = xTitle
	p.X.Label.TextStyle = textStyle(labelSize, false, softInkRGB, draw.XCenter, draw.YBottom)
	p.X.Label.Padding = 6
	p.X.Tick.Label = weekLabelStyle()
	// Bars stand on the baseline, with no gap under them.
	p.X.Padding = 0
}

// weekLabelStyle returns the style of the week labels under the bars.
func weekLabelStyle() text.Style {
	return textStyle(labelSize, false, softInkRGB, draw.XCenter, draw.YTop)
}
