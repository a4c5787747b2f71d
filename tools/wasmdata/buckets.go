package main

import (
	"encoding/binary"

	"github.com/datastore-wasm/datastore-wasm/tools/wasmbin"
)

// BucketsSection names the custom section in which dropBuckets records the table it zeroed: the
// table's address and its number of buckets, two little-endian u32s. js/wasm.js reads it and
// writes the table back into linear memory before Go starts.
const BucketsSection = "datastore.findfunctab"

// The runtime's pc lookup buckets (runtime.findfuncbucket, abi.FuncTabBucketSize): a bucket
// covers 4096 pcs and is a u32 index into the function table followed by 16 one-byte sub-bucket
// deltas. On wasm a pc is the function's index << 16 plus a block number, so every function
// spans 1<<16 pcs: 16 whole buckets.
const (
	bucketSize       = 20
	bucketsPerFunc   = 16
	bucketsPerFuncLg = 4
)

// dropBuckets zeroes the runtime's pc lookup buckets (moduledata.findfunctab, about a fifth of
// the raw module: 20 bytes per 4096 pcs, 320 per function) in a memory image, when they hold
// exactly what the linker writes for a wasm function table without gaps: bucket b holds index
// b>>4 and zero sub-buckets. It returns the table's address and bucket count, which is all it
// takes to write the table back (fillBuckets, and js/wasm.js at load time); ok is false, and the
// image unchanged, for any other table. A module whose table is not written back still runs
// correctly: runtime.findfunc starts at function 0 and steps forward through the function table
// to the pc's function, in time linear in the number of functions instead of constant.
func dropBuckets(mem []byte) (addr, n uint32, ok bool, err error) {
	t, err := wasmbin.FindTables(mem)
	if err != nil {
		return 0, 0, false, err
	}
	if t.Findfunctab%4 != 0 || t.Epclntab > uint64(len(mem)) || t.Epclntab > 1<<32 {
		return 0, 0, false, nil
	}
	count := (t.Epclntab - t.Findfunctab) / bucketSize // the section's end may be padded
	// The function table (ftab) opens the pclntab: nfunc+1 entries {entryoff, funcoff}, the
	// entry offsets being function indexes. Without a gap, function k covers buckets 16k..16k+15
	// (the table stops at the last function's first pc).
	entry := func(k uint64) uint32 { return binary.LittleEndian.Uint32(mem[t.Pclntab+8*k:]) }
	if t.Nfunc == 0 || count > bucketsPerFunc*(uint64(entry(t.Nfunc))-uint64(entry(0))) {
		return 0, 0, false, nil
	}
	for k := uint64(1); k <= t.Nfunc; k++ {
		if entry(k) != entry(k-1)+1 {
			return 0, 0, false, nil
		}
	}
	table := mem[t.Findfunctab : t.Findfunctab+count*bucketSize]
	for b := uint64(0); b < count; b++ {
		bucket := table[b*bucketSize : (b+1)*bucketSize]
		if binary.LittleEndian.Uint32(bucket) != uint32(b>>bucketsPerFuncLg) {
			return 0, 0, false, nil
		}
		for _, sub := range bucket[4:] {
			if sub != 0 {
				return 0, 0, false, nil
			}
		}
	}
	clear(table)
	return uint32(t.Findfunctab), uint32(count), true, nil
}

// fillBuckets writes back the table dropBuckets zeroed, as js/wasm.js does.
func fillBuckets(mem []byte, addr, n uint32) {
	for b := uint32(0); b < n; b++ {
		binary.LittleEndian.PutUint32(mem[addr+b*bucketSize:], b>>bucketsPerFuncLg)
	}
}

// bucketsSection is the custom section that records a dropped table.
func bucketsSection(addr, n uint32) wasmbin.Section {
	content := wasmbin.AppendU32(nil, uint32(len(BucketsSection)))
	content = append(content, BucketsSection...)
	content = binary.LittleEndian.AppendUint32(content, addr)
	content = binary.LittleEndian.AppendUint32(content, n)
	return wasmbin.Section{ID: wasmbin.SectionCustom, Content: content}
}
