package wasmbin

import (
	"encoding/binary"
	"testing"
)

// fakeRuntime writes a pcHeader at 0x100 and a moduledata at 0x800 into 4 KB of memory.
func fakeRuntime() []byte {
	mem := make([]byte, 4096)
	put := func(a, v uint64) { binary.LittleEndian.PutUint64(mem[a:], v) }
	const h = 0x100
	binary.LittleEndian.PutUint32(mem[h:], pclnMagic)
	mem[h+6], mem[h+7] = 1, 8
	put(h+hdrNfunc, 2)
	for i, off := range []uint64{0x60, 0x80, 0x90, 0xa0, 0x100} { // funcname, cu, filetab, pctab, pcln
		put(h+hdrFuncnameOffset+8*uint64(i), off)
	}
	const md = 0x800
	put(md, h)
	put(md+mdFuncnametab, h+0x60)
	words := map[uint64]uint64{0: 0x400, 5: 0x600, 6: 0x610, 7: 0x610, 8: 0x620, 18: 0x40, 19: 0x100, 21: 0x300, 22: 0x500}
	for i, v := range words {
		put(md+mdWords+8*i, v)
	}
	return mem
}

func TestFindTablesReadsTheRuntimesHeader(t *testing.T) {
	got, err := FindTables(fakeRuntime())
	if err != nil {
		t.Fatal(err)
	}
	want := Tables{Header: 0x100, Moduledata: 0x800, Nfunc: 2, Funcnametab: 0x160, Cutab: 0x180,
		Filetab: 0x190, Pctab: 0x1a0, Pclntab: 0x200, Gofunc: 0x300, Findfunctab: 0x400, Epclntab: 0x500,
		Types: 0x40, Etypes: 0x100, Noptrdata: 0x600, Enoptrdata: 0x610, Data: 0x610, Edata: 0x620}
	if got != want {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

func TestFindTablesRefusesWhatItDoesNotKnow(t *testing.T) {
	if _, err := FindTables(make([]byte, 4096)); err == nil {
		t.Error("want an error for memory without a pclntab header")
	}
	mem := fakeRuntime()
	binary.LittleEndian.PutUint64(mem[0x800:], 0) // no moduledata points at the header
	if _, err := FindTables(mem); err == nil {
		t.Error("want an error without a moduledata")
	}
	mem = fakeRuntime()
	binary.LittleEndian.PutUint64(mem[0x100+hdrPctabOffset:], 0x200) // pctab after pclntab
	if _, err := FindTables(mem); err == nil {
		t.Error("want an error for offsets out of order")
	}
}

func TestImageAppliesSegmentsInOrder(t *testing.T) {
	mem := Image([]Segment{{Active: true, Offset: 2, Data: []byte("abc")}, {Data: []byte("passive")},
		{Active: true, Offset: 3, Data: []byte("X")}})
	if string(mem) != "\x00\x00aXc" {
		t.Errorf("got %q", mem)
	}
}
