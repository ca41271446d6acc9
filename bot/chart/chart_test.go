package chart

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var updateDocs = flag.Bool("update-docs", false, "write the example chart to docs/weekly-chart.png")

// docsChart is where TestDocsExample writes its PNG, relative to this package.
var docsChart = filepath.Join("..", "..", "docs", "weekly-chart.png")

// weeksEnding returns one week per count triple, oldest first, the last one
// starting on the Monday last.
func weeksEnding(t testing.TB, last string, counts ...[3]int) []Week {
	t.Helper()
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		// The tzdata may be missing in a minimal container; the chart
		// only needs a Monday, and UTC gives the same labels.
		loc = time.UTC
	}
	end, err := time.ParseInLocation(time.DateOnly, last, loc)
	if err != nil {
		t.Fatal(err)
	}
	weeks := make([]Week, len(counts))
	for i, c := range counts {
		start := end.AddDate(0, 0, -7*(len(counts)-1-i))
		weeks[i] = Week{Start: start, Done: c[0], NotYet: c[1], Skipped: c[2]}
	}
	return weeks
}

// sampleWeeks is a realistic eight weeks ending the week of 2026-11-16,
// with a holiday week of nothing and one busy week.
func sampleWeeks(t testing.TB) []Week {
	t.Helper()
	return weeksEnding(t, "2026-11-16",
		[3]int{1, 1, 1},
		[3]int{2, 2, 1},
		[3]int{3, 1, 1},
		[3]int{0, 0, 0},
		[3]int{3, 2, 0},
		[3]int{2, 1, 3},
		[3]int{4, 1, 1},
		[3]int{5, 1, 0},
	)
}

// decode decodes b as a PNG of exactly Width x Height pixels.
func decode(t *testing.T, b []byte) *image.RGBA {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode PNG: %v", err)
	}
	if got, want := img.Bounds(), image.Rect(0, 0, Width, Height); got != want {
		t.Fatalf("bounds = %v, want %v", got, want)
	}
	// Reading Pix directly keeps the pixel checks fast under -race.
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = image.NewRGBA(img.Bounds())
		stddraw.Draw(rgba, rgba.Bounds(), img, image.Point{}, stddraw.Src)
	}
	return rgba
}

// checkLooksRight asserts what a reader needs to see, without comparing
// bytes: a white background, text in the title band, at least least pixels
// of each outcome's colour, and nothing drawn in the outer margin (which is
// where clipped text would show).
func checkLooksRight(t *testing.T, img *image.RGBA, least int) {
	t.Helper()
	counts := map[color.RGBA]int{}
	for i := 0; i+3 < len(img.Pix); i += 4 {
		p := img.Pix[i : i+4 : i+4]
		counts[color.RGBA{R: p[0], G: p[1], B: p[2], A: p[3]}]++
	}
	if n := counts[rgb(whiteRGB)]; n < Width*Height/2 {
		t.Errorf("only %d white pixels; want a white background", n)
	}
	for _, o := range outcomes() {
		if n := counts[rgb(o.rgb)]; n < least {
			t.Errorf("%d pixels of %s #%06x, want at least %d", n, o.name, o.rgb, least)
		}
	}

	if !anyNonWhite(img, image.Rect(0, int(margin), Width, int(margin+minTitleSize))) {
		t.Error("title band is all white; want the title there")
	}
	for name, r := range map[string]image.Rectangle{
		"top margin":    image.Rect(0, 0, Width, 4),
		"bottom margin": image.Rect(0, Height-4, Width, Height),
		"left margin":   image.Rect(0, 0, 4, Height),
		"right margin":  image.Rect(Width-4, 0, Width, Height),
	} {
		if anyNonWhite(img, r) {
			t.Errorf("%s has ink; something is drawn to the edge of the image", name)
		}
	}
}

// anyNonWhite reports whether any pixel of img in r is not white.
func anyNonWhite(img *image.RGBA, r image.Rectangle) bool {
	white := rgb(whiteRGB)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.RGBAAt(x, y) != white {
				return true
			}
		}
	}
	return false
}

func TestWeeklyOutcomes(t *testing.T) {
	tests := []struct {
		name  string
		weeks func(testing.TB) []Week
		title string
		bars  bool // whether every outcome has a bar, not only its legend swatch
	}{
		{"eight weeks", sampleWeeks, "Your last 8 weeks with Lead Coach", true},
		{"one week", func(t testing.TB) []Week {
			return weeksEnding(t, "2026-10-05", [3]int{1, 1, 1})
		}, "Your first week with Lead Coach", true},
		{"all zero", func(t testing.TB) []Week {
			return weeksEnding(t, "2026-11-16", [3]int{}, [3]int{}, [3]int{})
		}, "Your last 3 weeks with Lead Coach", false},
		{"large counts", func(t testing.TB) []Week {
			return weeksEnding(t, "2026-12-28",
				[3]int{14, 0, 0}, [3]int{9, 3, 2}, [3]int{0, 14, 0}, [3]int{0, 0, 14},
				[3]int{14, 14, 14}, [3]int{1, 2, 3}, [3]int{7, 7, 0}, [3]int{12, 1, 1})
		}, "Your last 8 weeks with Lead Coach", true},
		{"long title", sampleWeeks, strings.Repeat("A very long title about your coaching journey ", 6), true},
		{"fifty-two weeks", func(t testing.TB) []Week {
			counts := make([][3]int, 52)
			for i := range counts {
				counts[i] = [3]int{i % 6, i % 3, i % 2}
			}
			return weeksEnding(t, "2026-11-16", counts...)
		}, "Your year with Lead Coach", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := WeeklyOutcomes(tt.weeks(t), tt.title)
			if err != nil {
				t.Fatalf("WeeklyOutcomes: %v", err)
			}
			least := 100 // well inside one legend swatch
			if tt.bars {
				least += int(swatchSize * swatchSize)
			}
			checkLooksRight(t, decode(t, b), least)
		})
	}
}

func TestWeeklyOutcomesErrors(t *testing.T) {
	tests := []struct {
		name  string
		weeks []Week
		want  error
	}{
		{"nil", nil, ErrNoWeeks},
		{"empty", []Week{}, ErrNoWeeks},
		{"negative", []Week{{Done: 1, NotYet: -1}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := WeeklyOutcomes(tt.weeks, "title")
			if err == nil {
				t.Fatal("WeeklyOutcomes returned no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if b != nil {
				t.Errorf("got %d bytes with the error, want nil", len(b))
			}
		})
	}
}

func TestWeeklyOutcomesDeterministic(t *testing.T) {
	t.Parallel()
	weeks := sampleWeeks(t)
	// Render concurrently as the Friday digest may: the output must not
	// depend on timing or shared state (and -race watches the fonts).
	var wg sync.WaitGroup
	got := make([][]byte, 2)
	errs := make([]error, len(got))
	for i := range got {
		wg.Go(func() { got[i], errs[i] = WeeklyOutcomes(weeks, "Your last 8 weeks with Lead Coach") })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Error("two renders of the same weeks differ")
	}
}

// TestEightWeeksAllLabelled checks the common case keeps a label and a
// total for every week, even with the widest label ("May 10") and the
// widest Y axis that two-digit counts give.
func TestEightWeeksAllLabelled(t *testing.T) {
	weeks := weeksEnding(t, "2027-06-28", // the first week is May 10
		[3]int{14, 0, 0}, [3]int{9, 3, 2}, [3]int{0, 14, 0}, [3]int{0, 0, 14},
		[3]int{14, 14, 14}, [3]int{1, 2, 3}, [3]int{7, 7, 0}, [3]int{12, 1, 1})

	c := draw.Crop(draw.New(vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(dpi))), margin, -margin, margin, -margin)
	c = drawLegend(drawTitle(c, "Your last 8 weeks with Lead Coach"))
	p, err := newPlot(weeks, c)
	if err != nil {
		t.Fatal(err)
	}
	ticks := p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max)
	if len(ticks) != len(weeks) {
		t.Fatalf("%d X ticks, want %d", len(ticks), len(weeks))
	}
	for i, tick := range ticks {
		if want := weeks[i].Start.Format("Jan 2"); tick.Label != want {
			t.Errorf("week %d label = %q, want %q", i, tick.Label, want)
		}
	}
	slot := p.DataCanvas(c).Size().X / vg.Length(len(weeks))
	if !totalsFit(weeks, slot) {
		t.Errorf("totals do not fit in a %v slot", slot)
	}
}

func TestYScale(t *testing.T) {
	tests := []struct {
		name              string
		highest           int
		wantTop, wantStep int
	}{
		{"all zero", 0, 5, 1},
		{"below floor", 3, 5, 1},
		{"six", 6, 6, 1},
		{"seven", 7, 8, 2},
		{"fourteen", 14, 15, 5},
		{"forty-two", 42, 50, 10},
		{"thousand", 1000, 1000, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, step := yScale([]Week{{Done: tt.highest}})
			if top != tt.wantTop || step != tt.wantStep {
				t.Errorf("yScale(%d) = %d, %d; want %d, %d", tt.highest, top, step, tt.wantTop, tt.wantStep)
			}
			for _, tick := range yTicks(top, step) {
				if tick.Value != float64(int(tick.Value)) {
					t.Errorf("tick %v is not a whole number", tick.Value)
				}
			}
		})
	}
}

func TestFitTitle(t *testing.T) {
	const width = Width - 2*margin
	tests := []struct {
		name      string
		title     string
		wantLines int
		wantEnd   string
	}{
		{"empty", "  ", 0, ""},
		{"short", "Your last 8 weeks with Lead Coach", 1, "Coach"},
		{"two lines", strings.Repeat("word ", 22), 2, "word"},
		{"truncated", strings.Repeat("word ", 200), 2, "…"},
		{"one huge word", strings.Repeat("x", 300), 1, "…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lines, sty := fitTitle(tt.title, width)
			if len(lines) != tt.wantLines {
				t.Fatalf("got %d lines %q, want %d", len(lines), lines, tt.wantLines)
			}
			for _, l := range lines {
				if w := sty.Width(l); w > width {
					t.Errorf("line %q is %v wide, more than %v", l, w, width)
				}
			}
			if sty.Font.Size < minTitleSize {
				t.Errorf("font size %v, below the minimum %v", sty.Font.Size, minTitleSize)
			}
			if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], tt.wantEnd) {
				t.Errorf("last line %q does not end with %q", lines[n-1], tt.wantEnd)
			}
		})
	}
}

// TestDocsExample renders the example in docs/. With -update-docs it
// writes docs/weekly-chart.png; without, it checks the same render.
func TestDocsExample(t *testing.T) {
	t.Parallel()
	b, err := WeeklyOutcomes(sampleWeeks(t), "Your last 8 weeks with Lead Coach")
	if err != nil {
		t.Fatalf("WeeklyOutcomes: %v", err)
	}
	checkLooksRight(t, decode(t, b), 100+int(swatchSize*swatchSize))
	if !*updateDocs {
		return
	}
	if err := os.WriteFile(docsChart, b, 0o644); err != nil {
		t.Fatalf("write docs example: %v", err)
	}
	t.Logf("wrote %s", docsChart)
}

func BenchmarkWeeklyOutcomes(b *testing.B) {
	weeks := sampleWeeks(b)
	for b.Loop() {
		if _, err := WeeklyOutcomes(weeks, "Your last 8 weeks with Lead Coach"); err != nil {
			b.Fatal(err)
		}
	}
}
