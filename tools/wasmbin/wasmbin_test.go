package wasmbin

import (
	"bytes"
	"math"
	"testing"
)

func TestLEB128RoundTrips(t *testing.T) {
	for _, v := range []uint32{0, 1, 63, 64, 127, 128, 1 << 20, math.MaxUint32} {
		got, err := NewReader(AppendU32(nil, v)).U32()
		if err != nil || got != v {
			t.Errorf("U32 %d: got %d, %v", v, got, err)
		}
	}
	for _, v := range []int32{0, 1, -1, 63, 64, -64, -65, 1 << 20, math.MaxInt32, math.MinInt32} {
		got, err := NewReader(AppendS32(nil, v)).S32()
		if err != nil || got != v {
			t.Errorf("S32 %d: got %d, %v", v, got, err)
		}
	}
}

func TestParseEncodeRoundTrips(t *testing.T) {
	segments := []Segment{
		{Active: true, Offset: 4096, Data: []byte("go")},
		{Data: []byte("passive")},
	}
	module := Encode([]Section{{ID: SectionData, Content: EncodeData(segments)}})
	sections, err := Parse(module)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(Encode(sections), module) {
		t.Fatal("Encode(Parse(m)) differs from m")
	}
	got, err := ParseData(sections[0].Content)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(EncodeData(got), sections[0].Content) {
		t.Fatal("EncodeData(ParseData(c)) differs from c")
	}
	if !got[0].Active || got[0].Offset != 4096 || string(got[0].Data) != "go" || got[1].Active {
		t.Fatalf("segments read back as %+v", got)
	}
}

func TestParseRejectsTruncatedModules(t *testing.T) {
	module := Encode([]Section{{ID: SectionData, Content: EncodeData([]Segment{{Active: true, Data: []byte("abc")}})}})
	for n := len(header) + 1; n < len(module); n++ {
		if _, err := Parse(module[:n]); err == nil {
			t.Fatalf("a module cut at %d of %d bytes was accepted", n, len(module))
		}
	}
	if _, err := Parse([]byte("not wasm")); err != ErrNotWasm {
		t.Fatalf("got %v, want ErrNotWasm", err)
	}
}
