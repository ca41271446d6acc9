package prompts

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"
)

// The trained classifier ships in data/classifier.bin, so that loading the
// library takes milliseconds instead of the second or so training takes.
// The file records a hash of everything the training read; Load uses the
// file only when the hash matches the content it loaded, and trains afresh
// otherwise (an edited tip is never answered by a stale model).
// TestModelUpToDate fails until the file is written again with
//
//	go test ./prompts -run TestModelUpToDate -update
//
// Weights are stored as 16-bit integers with a scale per feature: half the
// size of float32, and no answer of the labelled sets changes (with 8 bits
// a few near-ties did).

const (
	modelFile  = "classifier.bin"
	modelMagic = "leadbot-classifier/2\n"
)

var errModelFormat = errors.New("not a classifier file")

// loadClassifier returns the classifier stored in fsys if it was trained
// on exactly these examples and synonyms, and otherwise trains one.
func loadClassifier(fsys fs.FS, ix *index, topics int, examples []example, synonyms []byte) *classifier {
	if data, err := fs.ReadFile(fsys, modelFile); err == nil {
		c, hash, err := decodeModel(data)
		if err == nil && hash == trainingHash(examples, synonyms, defaultTraining) && c.topics == topics+1 {
			return c
		}
	}
	return newClassifier(ix, topics, examples, defaultTraining)
}

// trainingHash is the hash of what the classifier learns from: the
// examples, the synonym table that adds features, and the settings.
func trainingHash(examples []example, synonyms []byte, cfg trainConfig) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s%+v\n", modelMagic, cfg)
	h.Write(synonyms)
	for _, ex := range examples {
		fmt.Fprintf(h, "%q %v %g\n", ex.text, ex.topics, ex.weight)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// encodeModel writes c, with the hash of what it was trained on.
func encodeModel(c *classifier, hash [32]byte) []byte {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	b.Write(hash[:])
	b.Write(binary.AppendUvarint(nil, uint64(c.topics)))
	b.Write(binary.AppendUvarint(nil, uint64(len(c.ids))))
	for _, v := range c.bias {
		b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)))
	}
	keys := make([]string, len(c.ids))
	for k, id := range c.ids {
		keys[id] = k
	}
	for id, k := range keys {
		b.Write(binary.AppendUvarint(nil, uint64(len(k))))
		b.WriteString(k)
		row := c.weights[id*c.topics : (id+1)*c.topics]
		var top float32
		for _, w := range row {
			top = max(top, float32(math.Abs(float64(w))))
		}
		scale := top / math.MaxInt16
		b.Write(binary.LittleEndian.AppendUint32(nil, math.Float32bits(scale)))
		for _, w := range row {
			q := 0.0
			if scale > 0 {
				q = math.Round(float64(w / scale))
			}
			b.Write(binary.LittleEndian.AppendUint16(nil, uint16(int16(q))))
		}
	}
	return b.Bytes()
}

// decodeModel reads a file written by encodeModel. It returns the
// classifier and the hash it was trained on, or errModelFormat.
func decodeModel(data []byte) (*classifier, [32]byte, error) {
	var hash [32]byte
	r := bytes.NewReader(data)
	magic := make([]byte, len(modelMagic))
	if _, err := r.Read(magic); err != nil || string(magic) != modelMagic {
		return nil, hash, errModelFormat
	}
	if _, err := r.Read(hash[:]); err != nil {
		return nil, hash, errModelFormat
	}
	topics, err1 := binary.ReadUvarint(r)
	n, err2 := binary.ReadUvarint(r)
	if err1 != nil || err2 != nil || topics == 0 || topics > 1000 || n > uint64(len(data)) {
		return nil, hash, errModelFormat
	}
	c := &classifier{ids: make(map[string]int32, n), topics: int(topics),
		bias: make([]float32, topics), weights: make([]float32, int(n)*int(topics))}
	var u32 [4]byte
	for t := range c.bias {
		if _, err := r.Read(u32[:]); err != nil {
			return nil, hash, errModelFormat
		}
		c.bias[t] = math.Float32frombits(binary.LittleEndian.Uint32(u32[:]))
	}
	row := make([]byte, 2*topics)
	for id := range int(n) {
		l, err := binary.ReadUvarint(r)
		if err != nil || l > uint64(r.Len()) {
			return nil, hash, errModelFormat
		}
		key := make([]byte, l)
		if _, err := r.Read(key); err != nil && l > 0 {
			return nil, hash, errModelFormat
		}
		if _, err := r.Read(u32[:]); err != nil {
			return nil, hash, errModelFormat
		}
		scale := math.Float32frombits(binary.LittleEndian.Uint32(u32[:]))
		if m, err := r.Read(row); err != nil || m != len(row) {
			return nil, hash, errModelFormat
		}
		for t := range c.topics {
			q := int16(binary.LittleEndian.Uint16(row[2*t:]))
			c.weights[id*c.topics+t] = float32(q) * scale
		}
		c.ids[string(key)] = int32(id)
	}
	if r.Len() != 0 {
		return nil, hash, fmt.Errorf("%w: %s bytes left over", errModelFormat, strconv.Itoa(r.Len()))
	}
	return c, hash, nil
}
