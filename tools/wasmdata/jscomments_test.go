package main

import (
	"strings"
	"testing"
)

// Comment lines become spaces of the same length; code, trailing comments
// and the bytes around the source stay as they were.
func TestBlankComments(t *testing.T) {
	src := "// head\nconst a = 1; // kept\n  // indented\nlet s = `x`;\n"
	module := []byte("before" + src + "after")
	if err := blankComments(module, []byte(src)); err != nil {
		t.Fatal(err)
	}
	want := "before" + strings.Repeat(" ", 7) + "\nconst a = 1; // kept\n  " + strings.Repeat(" ", 11) + "\nlet s = `x`;\nafter"
	if string(module) != want {
		t.Errorf("got %q\nwant %q", module, want)
	}
	for _, c := range []struct{ module, src, err string }{
		{"abc", "x", "not in the module"},
		{"xx", "x", "twice"},
		{"a`b\nc`d", "a`b\nc`d", "template literal"},
	} {
		if err := blankComments([]byte(c.module), []byte(c.src)); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q in %q: %v, want %q", c.src, c.module, err, c.err)
		}
	}
}
