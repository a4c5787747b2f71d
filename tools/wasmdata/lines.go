package main

import (
	"encoding/binary"
	"fmt"

	"github.com/datastore-wasm/datastore-wasm/tools/wasmbin"
)

// Go's runtime symbol table (pclntab) as Go 1.20 to 1.26 write it for GOARCH=wasm; see
// runtime/symtab.go (pcHeader, moduledata, _func) and internal/abi/symtab.go. Every offset
// below is checked against the table's own bounds before it is used: a layout this code does
// not know makes stripLines fail (and the build with it), never write a broken module.
const (
	// _func: entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset,
	// startLine (u32 each), funcID, flag, pad, nfuncdata (u8 each), then npcdata u32 offsets
	// into pctab and nfuncdata u32 offsets from moduledata.gofunc.
	funcPcsp      = 16
	funcPcfile    = 20
	funcPcln      = 24
	funcNpcdata   = 28
	funcCuOffset  = 32
	funcStartLine = 36
	funcNfuncdata = 43
	funcSize      = 44

	pcdataInlTreeIndex = 2 // abi.PCDATA_InlTreeIndex
	pcdataArgLiveIndex = 3 // abi.PCDATA_ArgLiveIndex
	funcdataInlTree    = 3 // abi.FUNCDATA_InlTree
	funcdataArgInfo    = 5 // abi.FUNCDATA_ArgInfo
	funcdataArgLive    = 6 // abi.FUNCDATA_ArgLiveInfo
	inlinedCallSize    = 16
	noFuncdata         = ^uint32(0)
)

// lineStats says what stripLines removed.
type lineStats struct {
	Funcs  int // functions in the table
	Zeroed int // bytes of the memory image set to zero
}

// stripLines removes what only tracebacks read from the runtime symbol table in a memory image:
// every function's file and line tables, its inlining tables (which only map a pc to the
// inlined call it belongs to) and the layout of its arguments (which tracebacks print in hex)
// are unlinked and their bytes zeroed, as are the file name tables that only they reach. What
// the runtime needs to run is kept: the stack-pointer deltas, the stack maps, the unsafe points,
// function names and entry points. Tracebacks and runtime.Caller then report "?:0" for a
// position, show no inlined frames and no argument values; everything else (GC,
// stack growth, panics and recover, defers) reads only the kept tables.
func stripLines(mem []byte) (lineStats, error) {
	var st lineStats
	size := uint64(len(mem))
	u32 := func(a uint64) uint32 { return binary.LittleEndian.Uint32(mem[a:]) }
	put32 := func(a uint64, v uint32) { binary.LittleEndian.PutUint32(mem[a:], v) }

	t, err := wasmbin.FindTables(mem)
	if err != nil {
		return st, err
	}
	nfunc, funcnametab, cutab, pctab, pcln, gofunc := t.Nfunc, t.Funcnametab, t.Cutab, t.Pctab, t.Pclntab, t.Gofunc
	pctabLen := pcln - pctab

	// Pass 1: read every function's tables, unlink what goes, remember what stays.
	keep := make([]bool, pctabLen)           // bytes of pctab that a kept table uses
	named := make([]bool, cutab-funcnametab) // bytes of funcnametab that a function's name uses
	dropped := map[uint32]bool{}             // pctab offsets of unlinked tables
	type span struct{ off, n uint64 }        // bytes of gofunc to zero
	var gone []span
	mark := func(off uint32) error {
		if off == 0 {
			return nil
		}
		n, _, err := pcTable(mem[pctab:pcln], off)
		if err != nil {
			return err
		}
		for i := uint64(off); i < uint64(off)+uint64(n); i++ {
			keep[i] = true
		}
		return nil
	}
	for i := uint64(0); i < nfunc; i++ {
		fa := pcln + uint64(u32(pcln+i*8+4))
		if fa+funcSize > gofunc {
			return st, fmt.Errorf("wasmdata: function %d's record is outside the pclntab", i)
		}
		npcdata, nfuncdata := uint64(u32(fa+funcNpcdata)), uint64(mem[fa+funcNfuncdata])
		if npcdata > 16 || fa+funcSize+4*(npcdata+nfuncdata) > gofunc {
			return st, fmt.Errorf("wasmdata: function %d has %d pcdata tables: unknown layout", i, npcdata)
		}
		for a := uint64(u32(fa + 4)); a < uint64(len(named)) && !named[a]; a++ {
			named[a] = true
			if mem[funcnametab+a] == 0 {
				break
			}
		}
		if err := mark(u32(fa + funcPcsp)); err != nil {
			return st, err
		}
		for _, field := range []uint64{funcPcfile, funcPcln} {
			dropped[u32(fa+field)] = true
			put32(fa+field, 0)
		}
		// Read with the file and line tables only (funcfile, Frame's start line for profiles).
		for _, field := range []uint64{funcCuOffset, funcStartLine} {
			if u32(fa+field) != 0 {
				put32(fa+field, 0)
				st.Zeroed += 4
			}
		}
		funcdata := fa + funcSize + 4*npcdata
		if nfuncdata > funcdataArgInfo {
			if off := u32(funcdata + 4*funcdataArgInfo); off != noFuncdata {
				n, err := argInfoLen(mem, gofunc+uint64(off))
				if err != nil {
					return st, fmt.Errorf("wasmdata: function %d: %w", i, err)
				}
				gone = append(gone, span{gofunc + uint64(off), n})
				put32(funcdata+4*funcdataArgInfo, noFuncdata)
			}
		}
		if nfuncdata > funcdataArgLive {
			// Only printArgs reads it, and it returns before when there is no arg info. Its
			// length is not recorded: unlinked, not zeroed.
			put32(funcdata+4*funcdataArgLive, noFuncdata)
		}
		for j := uint64(0); j < npcdata; j++ {
			a := fa + funcSize + 4*j
			if j == pcdataArgLiveIndex && nfuncdata > funcdataArgLive {
				if off := u32(a); off != 0 {
					dropped[off] = true
					put32(a, 0)
				}
				continue
			}
			if j != pcdataInlTreeIndex {
				if err := mark(u32(a)); err != nil {
					return st, err
				}
				continue
			}
			off := u32(a)
			if off == 0 {
				continue
			}
			_, maxIndex, err := pcTable(mem[pctab:pcln], off)
			if err != nil {
				return st, err
			}
			dropped[off] = true
			put32(a, 0)
			if nfuncdata > funcdataInlTree {
				fd := fa + funcSize + 4*npcdata + 4*funcdataInlTree
				if off := u32(fd); off != noFuncdata && maxIndex >= 0 {
					gone = append(gone, span{gofunc + uint64(off), (uint64(maxIndex) + 1) * inlinedCallSize})
					put32(fd, noFuncdata)
				}
			}
		}
	}
	st.Funcs = int(nfunc)

	// Pass 2: zero the bytes that nothing links any more.
	zero := func(from, to uint64) {
		for a := from; a < to; a++ {
			if mem[a] != 0 {
				mem[a] = 0
				st.Zeroed++
			}
		}
	}
	spans := map[uint32]int{}
	for off := range dropped {
		if off == 0 {
			continue
		}
		n, _, err := pcTable(mem[pctab:pcln], off)
		if err != nil {
			return st, err
		}
		spans[off] = n
	}
	for off, n := range spans {
		for a := uint64(off); a < uint64(off)+uint64(n); a++ {
			if !keep[a] && mem[pctab+a] != 0 {
				mem[pctab+a] = 0
				st.Zeroed++
			}
		}
	}
	for _, t := range gone {
		if end := t.off + t.n; end <= size {
			zero(t.off, end)
		}
	}
	zero(cutab, pctab) // cutab and filetab: only the file tables led there
	for a, ok := range named {
		if !ok && mem[funcnametab+uint64(a)] != 0 { // the name of a function that only inline trees named
			mem[funcnametab+uint64(a)] = 0
			st.Zeroed++
		}
	}
	return st, nil
}

// pcTable decodes the pc-value table at off in pctab (runtime.step's encoding: pairs of a
// zig-zag value delta and a pc delta, ended by a zero value delta after the first pair) and
// returns its length in bytes and the largest value it holds.
func pcTable(pctab []byte, off uint32) (n int, maxValue int32, err error) {
	p := int(off)
	uvarint := func() (uint32, bool) {
		var v uint32
		for shift := uint(0); shift < 35; shift += 7 {
			if p >= len(pctab) {
				return 0, false
			}
			c := pctab[p]
			p++
			v |= uint32(c&0x7f) << shift
			if c < 0x80 {
				return v, true
			}
		}
		return 0, false
	}
	val, first := int32(-1), true
	maxValue = -1
	for {
		uv, ok := uvarint()
		if !ok {
			return 0, 0, fmt.Errorf("wasmdata: pc-value table at %d runs past the pctab", off)
		}
		if uv == 0 && !first {
			return p - int(off), maxValue, nil
		}
		first = false
		val += int32(-(uv & 1) ^ (uv >> 1))
		if val > maxValue {
			maxValue = val
		}
		if _, ok := uvarint(); !ok {
			return 0, 0, fmt.Errorf("wasmdata: pc-value table at %d runs past the pctab", off)
		}
	}
}

// argInfoLen returns the length of the argument layout at a (FUNCDATA_ArgInfo: offset and size
// byte pairs and one-byte operators, ended by abi.TraceArgsEndSeq; see runtime.printArgs).
func argInfoLen(mem []byte, a uint64) (uint64, error) {
	const maxLen = (5*3+2)*10 + 1 // abi.TraceArgsMaxLen
	for i := uint64(0); i < maxLen && a+i < uint64(len(mem)); {
		switch b := mem[a+i]; {
		case b == 0xff: // TraceArgsEndSeq
			return i + 1, nil
		case b > 0xf0: // StartAgg, EndAgg, Dotdotdot, OffsetTooLarge
			i++
		default: // an offset and a size
			i += 2
		}
	}
	return 0, fmt.Errorf("argument layout at %#x has no end", a)
}
