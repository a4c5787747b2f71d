package wasmbin

import (
	"errors"
	"fmt"
)

// Segment is one segment of the data section. Only active segments of memory 0 with an
// `i32.const` offset (what Go's linker writes) have Active set; any other kind is kept as Raw.
type Segment struct {
	Active bool
	Offset uint32 // where Data goes in linear memory, for an active segment
	Data   []byte
	Raw    []byte // the whole encoded segment, for segments that are not Active
}

// End is the first memory address after an active segment.
func (s Segment) End() uint64 { return uint64(s.Offset) + uint64(len(s.Data)) }

const (
	opI32Const byte = 0x41
	opEnd      byte = 0x0b
)

// ParseData reads the segments of a data section's content.
func ParseData(content []byte) ([]Segment, error) {
	r := NewReader(content)
	n, err := r.U32()
	if err != nil {
		return nil, err
	}
	segments := make([]Segment, 0, n)
	for i := uint32(0); i < n; i++ {
		start := r.Offset()
		s, err := readSegment(r)
		if err != nil {
			return nil, fmt.Errorf("wasmbin: data segment %d: %w", i, err)
		}
		if !s.Active {
			s.Raw = content[start:r.Offset()]
		}
		segments = append(segments, s)
	}
	if !r.Done() {
		return nil, errors.New("wasmbin: bytes after the last data segment")
	}
	return segments, nil
}

func readSegment(r *Reader) (Segment, error) {
	flag, err := r.U32()
	if err != nil {
		return Segment{}, err
	}
	switch flag {
	case 1: // passive
		data, err := r.Bytes()
		return Segment{Data: data}, err
	case 0, 2:
		if flag == 2 {
			mem, err := r.U32()
			if err != nil {
				return Segment{}, err
			}
			if mem != 0 {
				return Segment{}, fmt.Errorf("segment of memory %d; only memory 0 is supported", mem)
			}
		}
		op, err := r.Byte()
		if err != nil {
			return Segment{}, err
		}
		if op != opI32Const {
			return Segment{}, fmt.Errorf("offset expression starts with opcode 0x%02x, want i32.const", op)
		}
		off, err := r.S32()
		if err != nil {
			return Segment{}, err
		}
		if end, err := r.Byte(); err != nil || end != opEnd {
			return Segment{}, errors.New("offset expression is longer than one i32.const")
		}
		data, err := r.Bytes()
		return Segment{Active: true, Offset: uint32(off), Data: data}, err
	default:
		return Segment{}, fmt.Errorf("unknown segment kind %d", flag)
	}
}

// EncodeData writes segments as a data section's content.
func EncodeData(segments []Segment) []byte {
	out := AppendU32(nil, uint32(len(segments)))
	for _, s := range segments {
		if !s.Active {
			if s.Raw != nil {
				out = append(out, s.Raw...)
				continue
			}
			out = AppendU32(out, 1)
			out = AppendU32(out, uint32(len(s.Data)))
			out = append(out, s.Data...)
			continue
		}
		out = AppendU32(out, 0)
		out = append(out, opI32Const)
		out = AppendS32(out, int32(s.Offset))
		out = append(out, opEnd)
		out = AppendU32(out, uint32(len(s.Data)))
		out = append(out, s.Data...)
	}
	return out
}
