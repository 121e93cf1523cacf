//go:build vm

package vmtest

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
)

// readPPM decodes QEMU's screendump format (binary PPM, P6, maxval 255).
func readPPM(path string) (*image.RGBA, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var magic string
	var w, h, maxval int
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxval); err != nil {
		return nil, fmt.Errorf("reading the header of %s: %w", path, err)
	}
	if magic != "P6" || maxval != 255 || w <= 0 || h <= 0 {
		return nil, fmt.Errorf("%s: not a P6 PPM with maxval 255 (%s %dx%d %d)", path, magic, w, h, maxval)
	}
	if _, err := r.ReadByte(); err != nil { // the single white space after maxval
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	px := make([]byte, w*h*3)
	if _, err := io.ReadFull(r, px); err != nil {
		return nil, fmt.Errorf("reading the pixels of %s: %w", path, err)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < w*h; i++ {
		img.Pix[i*4], img.Pix[i*4+1], img.Pix[i*4+2], img.Pix[i*4+3] = px[i*3], px[i*3+1], px[i*3+2], 0xff
	}
	return img, nil
}

// writePNG saves img as a PNG file.
func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("encoding %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// near says whether c is within tol of want on each channel.
func near(c color.RGBA, want color.RGBA, tol int) bool {
	d := func(a, b uint8) int {
		if a > b {
			return int(a - b)
		}
		return int(b - a)
	}
	return d(c.R, want.R) <= tol && d(c.G, want.G) <= tol && d(c.B, want.B) <= tol
}

// dominant returns the most frequent colour of img and its share (0..1):
// a black or uniform screen has a share near 1.
func dominant(img *image.RGBA) (color.RGBA, float64) {
	counts := map[color.RGBA]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			counts[img.RGBAAt(x, y)]++
		}
	}
	var best color.RGBA
	n, total := 0, 0
	for c, k := range counts {
		total += k
		if k > n {
			best, n = c, k
		}
	}
	return best, float64(n) / float64(total)
}

// region is where pixels of a colour are on the screen.
type region struct {
	Share  float64         // of the whole screen
	Center image.Point     // centroid
	Box    image.Rectangle // bounding box
}

// find locates the pixels near want.
func find(img *image.RGBA, want color.RGBA, tol int) region {
	b := img.Bounds()
	var sx, sy, n int
	box := image.Rectangle{Min: b.Max, Max: b.Min}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if near(img.RGBAAt(x, y), want, tol) {
				sx, sy, n = sx+x, sy+y, n+1
				box = box.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	if n == 0 {
		return region{}
	}
	return region{Share: float64(n) / float64(b.Dx()*b.Dy()), Center: image.Pt(sx/n, sy/n), Box: box}
}

// diff is the share of pixels that differ by more than tol between a and b
// (1 when the sizes differ).
func diff(a, b *image.RGBA, tol int) float64 {
	if a.Bounds() != b.Bounds() {
		return 1
	}
	n := 0
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if !near(a.RGBAAt(x, y), b.RGBAAt(x, y), tol) {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}
