package jsonvalue

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

var samples = []string{
	`{"id":"a","n":1.5,"i":-3,"big":1e21,"small":1e-7,"t":true,"f":false,"z":null}`,
	`{"s":"quote \" back \\ slash / nl \n tab \t ctl \u0001 é 😀 \ud83d\ude00"}`,
	`[1,[2,[3,{"a":[]}]],{},""]`,
	`"just a string"`, `42`, `null`, ` { "spaced" : [ 1 , 2 ] } `,
}

// Parse and Append agree with encoding/json on every sample.
func TestAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range samples {
		got, err := Parse([]byte(s))
		if err != nil {
			t.Fatalf("Parse(%s): %v", s, err)
		}
		var want any
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s) = %#v, want %#v", s, got, want)
		}
		var back any
		if err := json.Unmarshal(Append(nil, got), &back); err != nil || !reflect.DeepEqual(back, want) {
			t.Errorf("Append(Parse(%s)) = %s (%v)", s, Append(nil, got), err)
		}
	}
}

func TestRejectsBadJSON(t *testing.T) {
	for _, s := range []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1 2]`, `"\x"`, `"open`, `tru`, `{"a":1}x`, "\"ctl\x01\""} {
		if _, err := Parse([]byte(s)); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestNumbersAsJavaScriptWritesThem(t *testing.T) {
	for f, want := range map[float64]string{5: "5", -0.5: "-0.5", 1e20: "100000000000000000000", 1e21: "1e+21", 1.7e15: "1700000000000000",
		-42: "-42", 0: "0", math.Copysign(0, -1): "-0", 1 << 53: "9007199254740992", -(1 << 53) + 1: "-9007199254740991"} {
		if got := string(AppendFloat(nil, f)); got != want {
			t.Errorf("AppendFloat(%v) = %s, want %s", f, got, want)
		}
	}
}

func TestWholeNumbersParseExactly(t *testing.T) {
	for _, s := range []string{"0", "-0", "7", "-42", "123456789012345", "-999999999999999", "1234567890123456", "12345678901234567890", "1.5", "-0.0", "1e3", "9007199254740993"} {
		got, err := Parse([]byte(s))
		want, werr := strconv.ParseFloat(s, 64)
		if err != nil || werr != nil || got != want || math.Signbit(got.(float64)) != math.Signbit(want) {
			t.Errorf("Parse(%s) = %v (%v), want %v", s, got, err, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range samples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse([]byte(s))
		var want any
		werr := json.Unmarshal([]byte(s), &want)
		if (err == nil) != (werr == nil) {
			t.Fatalf("Parse(%q): err %v, encoding/json err %v", s, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %#v, want %#v", s, got, want)
		}
		// Append writes it back (its strings through the eight-byte scan).
		if err == nil {
			var back any
			if berr := json.Unmarshal(Append(nil, got), &back); berr != nil || !reflect.DeepEqual(back, want) {
				t.Fatalf("Append(Parse(%q)) = %s: %v", s, Append(nil, got), berr)
			}
		}
		// ParseText reads the same, its strings cut from the text.
		if fromText, terr := ParseText(s); (terr == nil) != (err == nil) || !reflect.DeepEqual(fromText, got) {
			t.Fatalf("ParseText(%q) = %#v (%v), Parse %#v (%v)", s, fromText, terr, got, err)
		}
	})
}

// ParseText's strings and keys are parts of its text where they have no
// escape and are valid UTF-8, and copies made right where they are not.
func TestParseTextCutsStringsFromItsText(t *testing.T) {
	text := `{"plain":"hello","esc\"aped":"a\nb","bad":"\xff"}`
	text = strings.Replace(text, `\xff`, "\xff", 1)
	m, err := ParseObjectText(text)
	if err != nil {
		t.Fatal(err)
	}
	within := func(s string) bool {
		start := uintptr(unsafe.Pointer(unsafe.StringData(text)))
		at := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return at >= start && at < start+uintptr(len(text))
	}
	if v := m["plain"].(string); v != "hello" || !within(v) {
		t.Errorf("plain = %q, within the text: %v", v, within(v))
	}
	for k := range m {
		if k == "plain" && !within(k) {
			t.Errorf("the key %q is a copy", k)
		}
	}
	if v := m["esc\"aped"]; v != "a\nb" {
		t.Errorf("escaped = %q", v)
	}
	if v := m["bad"]; v != "\ufffd" {
		t.Errorf("a byte that is not UTF-8 = %q, want U+FFFD", v)
	}
}

func BenchmarkParseRecord(b *testing.B) {
	data := []byte(`{"id":"0f6c2a52-8f4e-4a53-9a39-3c2d4b1e9f10","content":"hello world","postCommentsId":"p1","createdAt":"2026-11-21T10:00:00.000Z","updatedAt":null,"rating":5}`)
	for b.Loop() {
		_, _ = Parse(data)
	}
}

func TestParseRefusesDeepNesting(t *testing.T) {
	deep := func(n int) []byte {
		return []byte(strings.Repeat("[", n) + strings.Repeat("]", n))
	}
	if _, err := Parse(deep(MaxDepth)); err != nil {
		t.Fatalf("%d levels: %v", MaxDepth, err)
	}
	for _, n := range []int{MaxDepth + 1, 100000} {
		if _, err := Parse(deep(n)); !errors.Is(err, ErrTooDeep) {
			t.Fatalf("%d levels: got %v, want ErrTooDeep", n, err)
		}
	}
	obj := strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1)
	if _, err := Parse([]byte(obj)); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("objects: got %v", err)
	}
	if !strings.Contains(ErrTooDeep.Error(), "1000") {
		t.Fatalf("the error states the limit: %v", ErrTooDeep)
	}
}

func TestParseOrderedKeepsKeyOrder(t *testing.T) {
	v, err := ParseOrdered([]byte(`{"b": 1, "a": {"z": null, "y": [true]}, "b": 2}`))
	if err != nil {
		t.Fatal(err)
	}
	o := v.(*Object)
	if len(o.Keys) != 2 || o.Keys[0] != "b" || o.Keys[1] != "a" || o.Values["b"] != 2.0 {
		t.Fatalf("got keys %v values %v", o.Keys, o.Values)
	}
	inner := o.Values["a"].(*Object)
	if len(inner.Keys) != 2 || inner.Keys[0] != "z" || inner.Values["y"].([]any)[0] != true {
		t.Fatalf("nested object %+v", inner)
	}
}

// AppendString's eight-byte fast path writes what encoding/json writes
// (but for its escapes of <, > and &, which JSON does not need), with each
// special byte at each place of an eight-byte word.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	special := []string{"\"", "\\", "\n", "\x00", "\x1f", "\x7f", " ", "é", "😀", "\xff", "\u2028"}
	for _, sp := range special {
		for at := 0; at < 17; at++ {
			s := strings.Repeat("a", at) + sp + strings.Repeat("b", 17-at)
			want, _ := json.Marshal(s)
			w := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&", `\u2028`, "\u2028", `\u2029`, "\u2029").Replace(string(want))
			if got := string(AppendString(nil, s)); got != w {
				t.Errorf("AppendString(%q) = %s, want %s", s, got, w)
			}
		}
	}
}
