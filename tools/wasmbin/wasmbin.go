// Package wasmbin reads and writes the section structure of a WebAssembly binary: enough for the
// build's post-link step (tools/wasmdata) and its size report (tools/wasmsize), nothing more.
//
// A module is kept as its sections in file order, each with its raw content, so a tool can
// rewrite one section and write every other byte back unchanged.
package wasmbin

import (
	"bytes"
	"errors"
	"fmt"
)

// Section ids of the binary format that these tools look into.
const (
	SectionCustom    byte = 0
	SectionCode      byte = 10
	SectionData      byte = 11
	SectionDataCount byte = 12
)

var header = []byte{0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00}

// ErrNotWasm is returned for input that does not start with the wasm magic and version 1.
var ErrNotWasm = errors.New("wasmbin: not a WebAssembly binary (expected \\0asm version 1)")

// Section is one section of a module: its id and its content, without the id and size bytes.
type Section struct {
	ID      byte
	Content []byte
}

// Name returns a custom section's name, or "" for other sections.
func (s Section) Name() string {
	if s.ID != SectionCustom {
		return ""
	}
	r := Reader{b: s.Content}
	name, err := r.Name()
	if err != nil {
		return ""
	}
	return name
}

// Parse splits a module into its sections.
func Parse(b []byte) ([]Section, error) {
	if !bytes.HasPrefix(b, header) {
		return nil, ErrNotWasm
	}
	r := Reader{b: b, off: len(header)}
	var sections []Section
	for !r.Done() {
		id, err := r.Byte()
		if err != nil {
			return nil, err
		}
		content, err := r.Bytes()
		if err != nil {
			return nil, fmt.Errorf("wasmbin: section %d: %w", id, err)
		}
		sections = append(sections, Section{ID: id, Content: content})
	}
	return sections, nil
}

// Encode writes sections back into a module.
func Encode(sections []Section) []byte {
	out := append([]byte(nil), header...)
	for _, s := range sections {
		out = append(out, s.ID)
		out = AppendU32(out, uint32(len(s.Content)))
		out = append(out, s.Content...)
	}
	return out
}

// Reader reads the binary format's primitive values from a byte slice.
type Reader struct {
	b   []byte
	off int
}

// NewReader reads b from its start.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Done reports whether every byte was read.
func (r *Reader) Done() bool { return r.off >= len(r.b) }

// Offset is the number of bytes read so far.
func (r *Reader) Offset() int { return r.off }

var errTruncated = errors.New("wasmbin: truncated input")

// Byte reads one byte.
func (r *Reader) Byte() (byte, error) {
	if r.off >= len(r.b) {
		return 0, errTruncated
	}
	c := r.b[r.off]
	r.off++
	return c, nil
}

// U32 reads an unsigned LEB128 number of at most 32 bits.
func (r *Reader) U32() (uint32, error) {
	var v uint32
	for shift := 0; shift < 35; shift += 7 {
		c, err := r.Byte()
		if err != nil {
			return 0, err
		}
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, nil
		}
	}
	return 0, errors.New("wasmbin: LEB128 number longer than 32 bits")
}

// S32 reads a signed LEB128 number of at most 32 bits.
func (r *Reader) S32() (int32, error) {
	var v int64
	shift := 0
	for {
		c, err := r.Byte()
		if err != nil {
			return 0, err
		}
		v |= int64(c&0x7f) << shift
		shift += 7
		if c&0x80 == 0 {
			if shift < 64 && c&0x40 != 0 {
				v |= -1 << shift
			}
			return int32(v), nil
		}
		if shift >= 35 {
			return 0, errors.New("wasmbin: signed LEB128 number longer than 32 bits")
		}
	}
}

// Bytes reads a length-prefixed byte vector. The result aliases the input.
func (r *Reader) Bytes() ([]byte, error) {
	n, err := r.U32()
	if err != nil {
		return nil, err
	}
	if uint64(r.off)+uint64(n) > uint64(len(r.b)) {
		return nil, errTruncated
	}
	b := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return b, nil
}

// Name reads a length-prefixed UTF-8 name.
func (r *Reader) Name() (string, error) {
	b, err := r.Bytes()
	return string(b), err
}

// AppendU32 appends v as unsigned LEB128.
func AppendU32(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			b = append(b, c|0x80)
			continue
		}
		return append(b, c)
	}
}

// AppendS32 appends v as signed LEB128.
func AppendS32(b []byte, v int32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}
