package store

import (
	"testing"
)

func TestMemoryConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, l Layout) DB { return NewMemory(l) })
}

func TestCompareKeysOrdersAsIndexedDB(t *testing.T) {
	ordered := []Key{-1.0, 0.0, 2.5, "", "B", "a", "ab", "😀", "\uffff", []any{}, []any{0.0}, []any{"a"}, []any{"a", 1.0}}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := CompareKeys(ordered[i], ordered[j]); got != want {
				t.Errorf("CompareKeys(%#v, %#v) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestDiff(t *testing.T) {
	have := Layout{Stores: []StoreLayout{
		{Name: "A", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "x", KeyPath: []string{"x"}}}},
		{Name: "Gone", KeyPath: []string{"id"}},
	}}
	want := Layout{Stores: []StoreLayout{
		{Name: "A", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "y", KeyPath: []string{"y"}}}},
		{Name: "New", KeyPath: []string{"id"}, Indexes: []IndexLayout{{Name: "z", KeyPath: []string{"z"}}}},
	}}
	var got []string
	for _, s := range Diff(have, want) {
		got = append(got, s.Op+" "+s.Store+" "+s.Index)
	}
	exp := []string{"deleteStore Gone ", "deleteIndex A x", "createIndex A y", "createStore New ", "createIndex New z"}
	rekeyed := Diff(want, Layout{Stores: []StoreLayout{{Name: "A", KeyPath: []string{"code"}}}})
	if len(rekeyed) != 2 || rekeyed[1].Op != "rekey" {
		t.Errorf("a changed key path is a rekey: %+v", rekeyed)
	}
	if len(got) != len(exp) {
		t.Fatalf("Diff = %q, want %q", got, exp)
	}
	for i := range exp {
		if got[i] != exp[i] {
			t.Errorf("step %d = %q, want %q", i, got[i], exp[i])
		}
	}
	if len(Diff(want, want)) != 0 {
		t.Error("equal layouts need no steps")
	}
}
