package chart

import (
	"strings"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// titleGap is the space between the title and the legend.
const titleGap vg.Length = 10

// maxTitleRunes is more than two lines of title can show at any size.
const maxTitleRunes = 300

// drawTitle draws title centred at the top of c and returns the part of c
// below it. An empty title takes no space.
func drawTitle(c draw.Canvas, title string) draw.Canvas {
	lines, sty := fitTitle(title, c.Size().X)
	if len(lines) == 0 {
		return c
	}
	// Each line is drawn on its own, rather than as one string with "\n",
	// so that the line spacing is the font's own and the height we reserve
	// is exactly what is drawn.
	lineHeight := sty.Height("Mg")
	y := c.Max.Y
	for _, l := range lines {
		c.FillText(sty, vg.Point{X: c.Center().X, Y: y}, l)
		y -= lineHeight
	}
	c.Max.Y = y - titleGap
	return c
}

// fitTitle returns title split into at most two lines that each fit in
// width, and the style to draw them in. It prefers, in order: one line at
// full size, one line somewhat smaller, two lines as large as fit, and last
// two lines at the smallest size with the rest cut off by an ellipsis.
// Runs of white space, newlines included, become single spaces.
func fitTitle(title string, width vg.Length) ([]string, text.Style) {
	sty := textStyle(titleSize, true, inkRGB, draw.XCenter, draw.YTop)
	// Two lines of the image hold far fewer than maxTitleRunes, so cutting
	// here changes nothing drawn and keeps the fitting below cheap.
	if r := []rune(title); len(r) > maxTitleRunes {
		title = string(r[:maxTitleRunes])
	}
	words := strings.Fields(title)
	if len(words) == 0 {
		return nil, sty
	}
	one := strings.Join(words, " ")
	for size := titleSize; size >= minTitleSize; size -= 2 {
		sty.Font.Size = size
		if sty.Width(one) <= width {
			return []string{one}, sty
		}
	}
	for size := titleSize; size >= minTitleSize; size -= 2 {
		sty.Font.Size = size
		if lines, ok := splitTwo(words, sty, width); ok {
			return lines, sty
		}
	}
	sty.Font.Size = minTitleSize
	first, rest := takeWords(words, sty, width)
	if first == "" {
		// A single word wider than the image: cut it.
		return []string{ellipsize(one, sty, width)}, sty
	}
	if rest == "" {
		return []string{first}, sty
	}
	return []string{first, ellipsize(rest, sty, width)}, sty
}

// splitTwo splits words into two lines that both fit in width, choosing the
// split whose longer line is shortest so that the lines look balanced. It
// reports false if no split fits.
func splitTwo(words []string, sty text.Style, width vg.Length) ([]string, bool) {
	var best []string
	bestWidth := width
	for i := 1; i < len(words); i++ {
		a := strings.Join(words[:i], " ")
		b := strings.Join(words[i:], " ")
		if w := max(sty.Width(a), sty.Width(b)); w <= bestWidth {
			best, bestWidth = []string{a, b}, w
		}
	}
	return best, best != nil
}

// takeWords returns as many leading words as fit in width on one line, and
// the remaining words. first is empty if not even the first word fits.
func takeWords(words []string, sty text.Style, width vg.Length) (first, rest string) {
	n := 0
	for n < len(words) && sty.Width(strings.Join(words[:n+1], " ")) <= width {
		n++
	}
	return strings.Join(words[:n], " "), strings.Join(words[n:], " ")
}

// ellipsize returns s cut at a rune boundary and ended with "…" so that it
// fits in width, or s itself if it already fits.
func ellipsize(s string, sty text.Style, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	cut := func(n int) string { return strings.TrimRight(string(r[:n]), " ") + "…" }
	// Binary search for the longest prefix that fits: width grows with
	// every rune added.
	lo, hi := 0, len(r)-1 // the answer is in [lo, hi]
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if sty.Width(cut(mid)) <= width {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return cut(lo)
}
