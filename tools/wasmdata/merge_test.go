package main

import (
	"bytes"
	"testing"

	"github.com/datastore-wasm/datastore-wasm/tools/wasmbin"
)

func active(off uint32, data string) wasmbin.Segment {
	return wasmbin.Segment{Active: true, Offset: off, Data: []byte(data)}
}

func TestMergeKeepsTheMemoryImage(t *testing.T) {
	passive := wasmbin.Segment{Data: []byte("passive")}
	segments := []wasmbin.Segment{
		active(0, "ab"), active(4, "cd"), // gap 2: merged
		active(100, "ef"), // gap 94: kept apart
		active(101, "XY"), // overlaps: kept apart, and still wins
		passive,           // not active: kept, and ends the run
		active(103, "gh"),
	}
	merged := mergeSegments(segments, 8)
	if got, want := len(merged), 5; got != want {
		t.Fatalf("got %d segments, want %d: %+v", got, want, merged)
	}
	if !bytes.Equal(wasmbin.Image(merged), wasmbin.Image(segments)) {
		t.Fatalf("memory image changed:\n got %q\nwant %q", wasmbin.Image(merged), wasmbin.Image(segments))
	}
	if string(merged[0].Data) != "ab\x00\x00cd" {
		t.Errorf("first segment %q, want the gap filled with zeros", merged[0].Data)
	}
}

func TestRewriteUpdatesTheDataCount(t *testing.T) {
	segments := []wasmbin.Segment{active(8, "a"), active(10, "b"), active(1<<20, "c")}
	module := wasmbin.Encode([]wasmbin.Section{
		{ID: wasmbin.SectionDataCount, Content: wasmbin.AppendU32(nil, 3)},
		{ID: wasmbin.SectionData, Content: wasmbin.EncodeData(segments)},
		{ID: wasmbin.SectionCustom, Content: append(wasmbin.AppendU32(nil, 4), "name"...)},
	})
	out, before, after, err := rewrite(module, 64, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if before != 3 || after != 2 {
		t.Fatalf("segments %d -> %d, want 3 -> 2", before, after)
	}
	sections, err := wasmbin.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := wasmbin.NewReader(sections[0].Content).U32(); n != 2 {
		t.Errorf("data count %d, want 2", n)
	}
	got, err := wasmbin.ParseData(sections[1].Content)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(wasmbin.Image(got), wasmbin.Image(segments)) {
		t.Error("memory image changed")
	}
	if sections[2].Name() != "name" {
		t.Errorf("custom section %q was not kept", sections[2].Name())
	}
}

func TestRewriteRefusesWhatIsNotWasm(t *testing.T) {
	if _, _, _, err := rewrite([]byte("<!doctype html>"), 64, false, false); err == nil {
		t.Fatal("want an error for a file that is not wasm")
	}
}
