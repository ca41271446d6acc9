package chart

import (
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Legend geometry. gonum's own legend is drawn inside the data area, where
// it can cover the bars of a busy week, so the legend is drawn here instead
// as one centred row in its own band between the title and the plot.
const (
	swatchSize vg.Length = 18 // side of each colour square
	swatchGap  vg.Length = 8  // between a square and its name
	entryGap   vg.Length = 32 // between one entry's name and the next square
	legendGap  vg.Length = 18 // between the legend row and the plot
)

// drawLegend draws one entry per outcome in a centred row at the top of c
// and returns the part of c below it.
func drawLegend(c draw.Canvas) draw.Canvas {
	sty := textStyle(legendSize, false, inkRGB, draw.XLeft, draw.YCenter)
	entries := outcomes()

	var width vg.Length
	for i, o := range entries {
		if i > 0 {
			width += entryGap
		}
		width += swatchSize + swatchGap + sty.Width(o.name)
	}

	rowHeight := max(swatchSize, sty.Height("Mg"))
	mid := c.Max.Y - rowHeight/2
	x := c.Center().X - width/2
	for _, o := range entries {
		c.FillPolygon(rgb(o.rgb), []vg.Point{
			{X: x, Y: mid - swatchSize/2},
			{X: x, Y: mid + swatchSize/2},
			{X: x + swatchSize, Y: mid + swatchSize/2},
			{X: x + swatchSize, Y: mid - swatchSize/2},
		})
		x += swatchSize + swatchGap
		c.FillText(sty, vg.Point{X: x, Y: mid}, o.name)
		x += sty.Width(o.name) + entryGap
	}
	c.Max.Y -= rowHeight + legendGap
	return c
}
