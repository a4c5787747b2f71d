package main

import (
	"cmp"
	"errors"
	"slices"

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

// rewrite merges the data segments of a module and keeps its data count section in step. With
// strip, it first removes the runtime's source position tables (stripLines); with buckets, it
// drops the runtime's pc lookup buckets (dropBuckets) and adds the custom section that says how
// to write them back; either way it then splits the segments around the zero runs that leaves.
func rewrite(module []byte, maxGap int, strip, buckets bool) (out []byte, before, after int, err error) {
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
	work := segments
	var dropped []wasmbin.Section
	if strip || buckets {
		work, err = editSegments(segments, maxGap, func(mem []byte) error {
			if strip {
				if _, err := stripLines(mem); err != nil {
					return err
				}
			}
			if buckets {
				addr, n, ok, err := dropBuckets(mem)
				if err != nil {
					return err
				}
				if ok {
					dropped = append(dropped, bucketsSection(addr, n))
				}
			}
			return nil
		})
		if err != nil {
			return nil, 0, 0, err
		}
	}
	merged := mergeSegments(work, maxGap)
	sections[data].Content = wasmbin.EncodeData(merged)
	for i, s := range sections {
		if s.ID == wasmbin.SectionDataCount {
			sections[i].Content = wasmbin.AppendU32(nil, uint32(len(merged)))
		}
	}
	return wasmbin.Encode(append(sections, dropped...)), len(segments), len(merged), nil
}

// editSegments applies edit to the memory image of segments, which must all be active and must
// not overlap (what Go's linker writes), and returns the new image's segments in address order:
// the old ones with their bytes updated, split where a run of more than maxGap zeros now lies
// inside one, and without leading or trailing zeros.
func editSegments(segments []wasmbin.Segment, maxGap int, edit func(mem []byte) error) ([]wasmbin.Segment, error) {
	segments = slices.Clone(segments)
	slices.SortStableFunc(segments, func(a, b wasmbin.Segment) int { return cmp.Compare(a.Offset, b.Offset) })
	var end uint64
	for i, s := range segments {
		if !s.Active {
			return nil, errors.New("wasmdata: a passive data segment: cannot strip this module")
		}
		if i > 0 && uint64(s.Offset) < end {
			return nil, errors.New("wasmdata: data segments overlap: cannot strip this module")
		}
		end = s.End()
	}
	mem := make([]byte, end)
	for _, s := range segments {
		copy(mem[s.Offset:], s.Data)
	}
	if err := edit(mem); err != nil {
		return nil, err
	}
	var out []wasmbin.Segment
	for _, s := range segments {
		out = appendNonZero(out, mem, uint64(s.Offset), s.End(), maxGap)
	}
	return out, nil
}

// appendNonZero appends segments holding mem[from:to] without its zero runs longer than maxGap.
func appendNonZero(out []wasmbin.Segment, mem []byte, from, to uint64, maxGap int) []wasmbin.Segment {
	a := from
	for {
		for a < to && mem[a] == 0 {
			a++
		}
		if a >= to {
			return out
		}
		last, b := a, a // last: one past the last non-zero byte of this segment
		for b < to && b-last <= uint64(maxGap) {
			if mem[b] != 0 {
				last = b + 1
			}
			b++
		}
		out = append(out, wasmbin.Segment{Active: true, Offset: uint32(a), Data: mem[a:last]})
		a = last
	}
}
