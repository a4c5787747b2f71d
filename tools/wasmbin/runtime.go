package wasmbin

import (
	"encoding/binary"
	"fmt"
)

// Image applies a module's active data segments to zeroed memory, in order, as instantiation
// does, and returns the memory up to the end of the last segment.
func Image(segments []Segment) []byte {
	var mem []byte
	for _, s := range segments {
		if !s.Active {
			continue
		}
		if need := int(s.End()); need > len(mem) {
			mem = append(mem, make([]byte, need-len(mem))...)
		}
		copy(mem[s.Offset:], s.Data)
	}
	return mem
}

// Where Go's runtime tables lie in the memory image; see runtime/symtab.go (pcHeader,
// moduledata) for Go 1.20 to 1.26.
const (
	pclnMagic = 0xfffffff1 // abi.Go120PCLnTabMagic

	// pcHeader: magic u32, pad1, pad2, minLC, ptrSize u8, then uintptr fields.
	hdrNfunc          = 8
	hdrFuncnameOffset = 32
	hdrCuOffset       = 40
	hdrFiletabOffset  = 48
	hdrPctabOffset    = 56
	hdrPclnOffset     = 64

	// moduledata: pcHeader, six slices (24 bytes each), then uintptr fields from findfunctab.
	mdFuncnametab = 8
	mdWords       = 8 + 6*24
)

// Tables are the addresses of the Go runtime's tables in a memory image (runtime.pcHeader and
// runtime.firstmoduledata). Each table runs to the next one's start: Funcnametab, Cutab,
// Filetab, Pctab and Pclntab follow each other, then Gofunc (funcdata) up to Findfunctab and
// that up to Epclntab.
type Tables struct {
	Header, Moduledata                                uint64
	Nfunc                                             uint64
	Funcnametab, Cutab, Filetab, Pctab, Pclntab       uint64
	Gofunc, Findfunctab, Epclntab                     uint64
	Types, Etypes, Noptrdata, Enoptrdata, Data, Edata uint64
}

// FindTables finds the runtime's tables in a Go-built module's memory image: the pclntab magic
// at an 8-aligned address with zero padding, minLC 1 and 8-byte pointers, and the one word that
// points at it followed by the funcnametab's address (runtime.firstmoduledata).
func FindTables(mem []byte) (Tables, error) {
	var t Tables
	u64 := func(a uint64) uint64 { return binary.LittleEndian.Uint64(mem[a:]) }
	var found []uint64
	for a := 0; a+hdrPclnOffset+8 <= len(mem); a += 8 {
		if binary.LittleEndian.Uint32(mem[a:]) == pclnMagic && mem[a+4] == 0 && mem[a+5] == 0 &&
			mem[a+6] == 1 && mem[a+7] == 8 {
			found = append(found, uint64(a))
		}
	}
	if len(found) != 1 {
		return t, fmt.Errorf("wasmbin: found %d Go 1.20+ pclntab headers, want one (is this a Go-built wasm?)", len(found))
	}
	h := found[0]
	t.Header, t.Nfunc = h, u64(h+hdrNfunc)
	t.Funcnametab, t.Cutab, t.Filetab = h+u64(h+hdrFuncnameOffset), h+u64(h+hdrCuOffset), h+u64(h+hdrFiletabOffset)
	t.Pctab, t.Pclntab = h+u64(h+hdrPctabOffset), h+u64(h+hdrPclnOffset)
	size := uint64(len(mem))
	if !(h < t.Funcnametab && t.Funcnametab < t.Cutab && t.Cutab <= t.Filetab && t.Filetab <= t.Pctab &&
		t.Pctab < t.Pclntab && t.Pclntab+(t.Nfunc+1)*8 <= size) {
		return t, fmt.Errorf("wasmbin: the pclntab header's offsets are out of order")
	}
	found = found[:0]
	for a := 0; a+mdWords+23*8 <= len(mem); a += 8 {
		if u64(uint64(a)) == h && u64(uint64(a+mdFuncnametab)) == t.Funcnametab {
			found = append(found, uint64(a))
		}
	}
	if len(found) != 1 {
		return t, fmt.Errorf("wasmbin: found %d moduledata records, want one", len(found))
	}
	md := found[0]
	t.Moduledata = md
	word := func(i uint64) uint64 { return u64(md + mdWords + 8*i) }
	// findfunctab, minpc, maxpc, text, etext, noptrdata, enoptrdata, data, edata, bss, ebss,
	// noptrbss, enoptrbss, covctrs, ecovctrs, end, gcdata, gcbss, types, etypes, rodata,
	// gofunc, epclntab
	t.Findfunctab, t.Noptrdata, t.Enoptrdata, t.Data, t.Edata = word(0), word(5), word(6), word(7), word(8)
	t.Types, t.Etypes, t.Gofunc, t.Epclntab = word(18), word(19), word(21), word(22)
	if !(t.Pclntab < t.Gofunc && t.Gofunc <= t.Findfunctab && t.Findfunctab <= t.Epclntab && t.Epclntab <= size) {
		return t, fmt.Errorf("wasmbin: moduledata's funcdata addresses are out of order")
	}
	return t, nil
}
