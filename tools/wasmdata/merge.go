package main

import (
	"errors"

	"github.com/datastore-wasm/datastore-wasm/tools/wasmbin"
)

// mergeSegments joins consecutive active segments whose gap is at most maxGap bytes, writing the
// gap as zeros. Linear memory starts zeroed, so the memory image after instantiation is byte for
// byte the same; only the number of segments (and the bytes brotli has to model) changes. Longer
// zero runs stay gaps, so the raw size grows by at most maxGap per merge. Segments that overlap
// or are out of address order are never merged: a later segment overwrites an earlier one, and
// keeping that order keeps the image.
func mergeSegments(segments []wasmbin.Segment, maxGap int) []wasmbin.Segment {
	out := make([]wasmbin.Segment, 0, len(segments))
	for _, s := range segments {
		n := len(out)
		if n > 0 && out[n-1].Active && s.Active && s.Offset >= uint32(out[n-1].End()) &&
			uint64(s.Offset)-out[n-1].End() <= uint64(maxGap) {
			prev := &out[n-1]
			joined := make([]byte, 0, int(s.End()-uint64(prev.Offset)))
			joined = append(joined, prev.Data...)
			joined = append(joined, make([]byte, int(uint64(s.Offset)-prev.End()))...)
			prev.Data = append(joined, s.Data...)
			continue
		}
		out = append(out, s)
	}
	return out
}

// rewrite merges the data segments of a module and keeps its data count section in step.
func rewrite(module []byte, maxGap int) (out []byte, before, after int, err error) {
	sections, err := wasmbin.Parse(module)
	if err != nil {
		return nil, 0, 0, err
	}
	data := -1
	for i, s := range sections {
		if s.ID == wasmbin.SectionData {
			data = i
		}
	}
	if data < 0 {
		return nil, 0, 0, errors.New("wasmdata: the module has no data section")
	}
	segments, err := wasmbin.ParseData(sections[data].Content)
	if err != nil {
		return nil, 0, 0, err
	}
	merged := mergeSegments(segments, maxGap)
	sections[data].Content = wasmbin.EncodeData(merged)
	for i, s := range sections {
		if s.ID == wasmbin.SectionDataCount {
			sections[i].Content = wasmbin.AppendU32(nil, uint32(len(merged)))
		}
	}
	return wasmbin.Encode(sections), len(segments), len(merged), nil
}
