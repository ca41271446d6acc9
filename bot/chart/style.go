package chart

import (
	"image/color"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// Colours as 0xRRGGBB. The three outcomes use Okabe-Ito blue and orange plus
// a neutral grey: under simulated protanopia, deuteranopia and tritanopia
// every pair stays far apart (CIE ΔE ≥ 39), and grey reads as "nothing
// happened" for Skipped. White gaps between stacked segments separate them
// even in greyscale.
const (
	doneRGB    = 0x0072b2 // Okabe-Ito blue
	notYetRGB  = 0xe69f00 // Okabe-Ito orange
	skippedRGB = 0xbbbbbb // neutral grey

	inkRGB     = 0x222222 // title, legend, totals
	softInkRGB = 0x444444 // axis labels and ticks
	gridRGB    = 0xdddddd
	whiteRGB   = 0xffffff
)

// rgb returns the opaque colour 0xRRGGBB.
func rgb(hex uint32) color.RGBA {
	return color.RGBA{R: uint8(hex >> 16), G: uint8(hex >> 8), B: uint8(hex), A: 0xff}
}

// outcome is one of the three stacked series.
type outcome struct {
	name  string
	rgb   uint32
	count func(Week) int
}

// outcomes lists the series in stacking order, bottom first. Done sits on
// the baseline so that it, the number a manager cares most about, is the
// easiest to compare across weeks.
func outcomes() [3]outcome {
	return [3]outcome{
		{"Done", doneRGB, func(w Week) int { return w.Done }},
		{"Not yet", notYetRGB, func(w Week) int { return w.NotYet }},
		{"Skipped", skippedRGB, func(w Week) int { return w.Skipped }},
	}
}

// Font sizes in pixels of the 800 px wide image. Slack previews it at about
// 360 px, a factor of 0.45, so 22 px text still shows at about 10 px there.
// Axis text is the smallest because eight week labels as wide as "May 10"
// must fit side by side; at 24 px they would not.
const (
	titleSize    vg.Length = 32
	minTitleSize vg.Length = 24
	legendSize   vg.Length = 24
	labelSize    vg.Length = 22 // axis titles and ticks
	totalSize    vg.Length = 22
)

// textStyle returns a Liberation Sans style; the fonts are embedded in
// gonum.org/v1/plot, so no system fonts are needed.
func textStyle(size vg.Length, bold bool, hex uint32, x text.XAlignment, y text.YAlignment) text.Style {
	f := font.Font{Typeface: "Liberation", Variant: "Sans"}
	if bold {
		f.Weight = xfont.WeightBold
	}
	return text.Style{
		Color:   rgb(hex),
		Font:    font.From(f, size),
		XAlign:  x,
		YAlign:  y,
		Handler: plot.DefaultTextHandler,
	}
}
