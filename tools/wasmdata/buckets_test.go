package main

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/tools/wasmbin"
)

func TestDropBucketsWritesBackTheSameTable(t *testing.T) {
	mem := memoryImage(t, buildProg(t))
	orig := bytes.Clone(mem)
	addr, n, ok, err := dropBuckets(mem)
	if err != nil || !ok {
		t.Fatalf("dropBuckets: ok %v, %v; want the linker's table dropped", ok, err)
	}
	end := addr + n*bucketSize
	if n < 1000 || !bytes.Equal(mem[:addr], orig[:addr]) || !bytes.Equal(mem[end:], orig[end:]) ||
		!bytes.Equal(mem[addr:end], make([]byte, end-addr)) {
		t.Fatalf("want exactly the %d buckets at %#x zeroed", n, addr)
	}
	fillBuckets(mem, addr, n)
	if !bytes.Equal(mem, orig) {
		t.Error("the table written back differs from the linker's")
	}
}

func TestDropBucketsLeavesAnotherTable(t *testing.T) {
	mem := memoryImage(t, buildProg(t))
	tables, err := wasmbin.FindTables(mem)
	if err != nil {
		t.Fatal(err)
	}
	mem[tables.Findfunctab+bucketSize+4+3]++ // a sub-bucket that is not zero
	orig := bytes.Clone(mem)
	if _, _, ok, err := dropBuckets(mem); ok || err != nil || !bytes.Equal(mem, orig) {
		t.Errorf("dropBuckets: ok %v, %v; want the table left as it is", ok, err)
	}
}

func TestRewriteRecordsTheDroppedBuckets(t *testing.T) {
	module := buildProg(t)
	out, _, _, err := rewrite(module, 64, false, true)
	if err != nil {
		t.Fatal(err)
	}
	sections, err := wasmbin.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	var payload []byte
	for _, s := range sections {
		if s.Name() == BucketsSection {
			r := wasmbin.NewReader(s.Content)
			if _, err := r.Name(); err != nil {
				t.Fatal(err)
			}
			payload = s.Content[r.Offset():]
		}
	}
	if len(payload) != 8 {
		t.Fatalf("custom section %s: payload %x, want address and count", BucketsSection, payload)
	}
	addr, n := binary.LittleEndian.Uint32(payload), binary.LittleEndian.Uint32(payload[4:])
	merged, _, _, err := rewrite(module, 64, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if saved := len(merged) - len(out); saved < int(n)*bucketSize*3/4 {
		t.Errorf("dropping the buckets saved %d bytes, want about %d", saved, n*bucketSize)
	}
	mem := memoryImage(t, out)
	fillBuckets(mem, addr, n)
	if want := memoryImage(t, module); !bytes.Equal(mem[:len(want)], want) {
		t.Error("the memory image with the buckets written back differs from the linker's")
	}
}
