// Package jsonvalue reads and writes JSON values (map[string]any, []any,
// string, float64, bool, nil) without reflection. In Go compiled to wasm,
// encoding/json spends 20-30 µs on a small record where this takes a few:
// it is the codec of the hot paths between JavaScript and the engine.
package jsonvalue

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// Appender is a value that writes itself as JSON.
type Appender interface {
	AppendJSON(dst []byte) []byte
}

// Append writes v as JSON. v is a JSON value as Parse returns it, an
// Appender, or one of []string, []map[string]any, int.
func Append(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return AppendString(dst, x)
	case float64:
		return AppendFloat(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case bool:
		return strconv.AppendBool(dst, x)
	case map[string]any:
		dst = append(dst, '{')
		first := true
		for k, e := range x {
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = AppendString(dst, k)
			dst = append(dst, ':')
			dst = Append(dst, e)
		}
		return append(dst, '}')
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = Append(dst, e)
		}
		return append(dst, ']')
	case []string:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, e)
		}
		return append(dst, ']')
	case Appender:
		return x.AppendJSON(dst)
	}
	return append(dst, "null"...)
}

// AppendList writes a list of Appenders as a JSON array.
func AppendList[T Appender](dst []byte, list []T) []byte {
	dst = append(dst, '[')
	for i, x := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = x.AppendJSON(dst)
	}
	return append(dst, ']')
}

// AppendFloat writes a number as JavaScript's JSON.stringify does for the
// common cases (integers in full, NaN and infinities as null).
func AppendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return append(dst, "null"...)
	case f == math.Trunc(f) && math.Abs(f) < 1<<53 && (f != 0 || !math.Signbit(f)):
		// Whole numbers, exactly (AppendFloat's shortest form is 10 times
		// slower under wasm); -0 keeps the general path.
		return strconv.AppendInt(dst, int64(f), 10)
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

const hex = "0123456789abcdef"

// AppendString writes s as a JSON string.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight plain bytes at a time: in wasm the byte loop was most of
		// writing a record's JSON (its strings are mostly plain ASCII).
		if i+8 <= len(s) && plain8(s[i:i+8]) {
			i += 8
			continue
		}
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// plain8 reports whether the 8 bytes of s are ASCII a JSON string holds
// as they are: none below 0x20, none of '"' or '\\', none from 0x80 on.
// Each test is the classic "some byte is zero / below n": a false
// positive can only sit above a true one, so the answer is exact.
func plain8(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	zero := func(v uint64) uint64 { return (v - ones) &^ v & highs }
	below := (x - 0x20*ones) &^ x & highs
	return x&highs == 0 && below == 0 && zero(x^('"'*ones)) == 0 && zero(x^('\\'*ones)) == 0
}

// ErrSyntax reports JSON that does not parse.
var ErrSyntax = errors.New("jsonvalue: invalid JSON")

// MaxDepth is how deeply objects and arrays may nest in a value Parse
// reads. Real records nest a few levels; the limit keeps a hostile value
// from overflowing the stack of the wasm instance, which no recover can
// catch (a Go stack overflow ends the whole program).
const MaxDepth = 1000

// ErrTooDeep reports a value nested more than MaxDepth levels.
var ErrTooDeep = errors.New("a JSON value nested more than " + strconv.Itoa(MaxDepth) + " levels deep (objects and arrays); datastore-wasm reads values up to " + strconv.Itoa(MaxDepth) + " levels")

// Scalar reports whether v is a JSON string, number, boolean or null: a
// value == compares (an object or a list would panic there).
func Scalar(v any) bool {
	switch v.(type) {
	case nil, string, float64, bool:
		return true
	}
	return false
}

// ErrNotObject reports a value that is not the JSON object a caller needed.
var ErrNotObject = errors.New("expected a JSON object")

// Parse reads one JSON value.
func Parse(data []byte) (any, error) {
	return parse(parser{data: data})
}

func parse(p parser) (any, error) {
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.data) {
		return nil, p.fail()
	}
	return v, nil
}

// ParseText reads one JSON value from text. Its strings without escapes
// are parts of text, not copies (one allocation fewer per string and per
// key: on wasm most of a small record's parse), so the value keeps all of
// text alive as long as any of them is.
func ParseText(text string) (any, error) {
	return parse(parser{data: unsafe.Slice(unsafe.StringData(text), len(text)), text: text})
}

// ParseObjectText reads a JSON object from text as ParseText does; null
// reads as a nil map.
func ParseObjectText(text string) (map[string]any, error) {
	return asObject(ParseText(text))
}

// ParseObject reads a JSON object; null reads as a nil map.
func ParseObject(data []byte) (map[string]any, error) {
	return asObject(Parse(data))
}

func asObject(v any, err error) (map[string]any, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, ErrNotObject
	}
	return m, nil
}

type parser struct {
	data []byte // never written: it may be text's bytes
	// text, when set, is data as a string: strings are cut from it.
	text    string
	i       int
	depth   int  // objects and arrays open around p.i
	ordered bool // objects as *Object (ParseOrdered)
}

func (p *parser) fail() error {
	return errors.New("not valid JSON (at byte " + strconv.Itoa(p.i) + ")")
}

func (p *parser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) literal(word string, v any) (any, error) {
	if len(p.data)-p.i >= len(word) && string(p.data[p.i:p.i+len(word)]) == word {
		p.i += len(word)
		return v, nil
	}
	return nil, p.fail()
}

func (p *parser) value() (any, error) {
	if p.i >= len(p.data) {
		return nil, p.fail()
	}
	switch c := p.data[p.i]; {
	case c == '{' || c == '[':
		if p.depth >= MaxDepth {
			return nil, ErrTooDeep
		}
		p.depth++
		var v any
		var err error
		if c == '{' {
			v, err = p.object()
		} else {
			v, err = p.array()
		}
		p.depth--
		return v, err
	case c == '"':
		return p.str()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	}
	return nil, p.fail()
}

func (p *parser) object() (any, error) {
	p.i++ // {
	m := map[string]any{}
	var o *Object
	if p.ordered {
		o = &Object{Values: m}
	}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == '}' {
		p.i++
		return objectResult(m, o), nil
	}
	for {
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != '"' {
			return nil, p.fail()
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.data) || p.data[p.i] != ':' {
			return nil, p.fail()
		}
		p.i++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		if o != nil {
			o.set(k, v)
		} else {
			m[k] = v
		}
		p.space()
		if p.i >= len(p.data) {
			return nil, p.fail()
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return objectResult(m, o), nil
		default:
			return nil, p.fail()
		}
	}
}

// objectResult is what object() gives: the map, or the same entries in order for ParseOrdered.
func objectResult(m map[string]any, o *Object) any {
	if o != nil {
		return o
	}
	return m
}

func (p *parser) array() (any, error) {
	p.i++ // [
	list := []any{}
	p.space()
	if p.i < len(p.data) && p.data[p.i] == ']' {
		p.i++
		return list, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		list = append(list, v)
		p.space()
		if p.i >= len(p.data) {
			return nil, p.fail()
		}
		switch p.data[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return list, nil
		default:
			return nil, p.fail()
		}
	}
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *parser) number() (any, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.data) && p.data[p.i] >= '0' && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.data[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.data) && p.data[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return nil, p.fail()
	}
	if p.i < len(p.data) && p.data[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return nil, p.fail()
		}
	}
	if p.i < len(p.data) && (p.data[p.i] == 'e' || p.data[p.i] == 'E') {
		p.i++
		if p.i < len(p.data) && (p.data[p.i] == '+' || p.data[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail()
		}
	}
	if n := p.i - start; n <= 16 {
		// A whole number of up to 15 digits is exactly its float64: read it
		// without ParseFloat (and the string it takes).
		if f, ok := wholeNumber(p.data[start:p.i]); ok {
			return f, nil
		}
	}
	f, err := strconv.ParseFloat(string(p.data[start:p.i]), 64)
	if err != nil {
		return nil, p.fail()
	}
	return f, nil
}

// wholeNumber reads b, a valid JSON number, when it is an optional minus
// and at most 15 digits (ok false otherwise).
func wholeNumber(b []byte) (float64, bool) {
	neg := b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	f := float64(n)
	if neg {
		f = -f
	}
	return f, true
}

func (p *parser) str() (string, error) {
	p.i++ // "
	start := p.i
	var high byte // the bits of every byte seen: below 0x80, all ASCII
	for p.i < len(p.data) {
		c := p.data[p.i]
		high |= c
		if c == '"' {
			s := p.data[start:p.i]
			p.i++
			// ASCII is valid UTF-8: no second pass over it.
			if p.text != "" && (high < 0x80 || utf8.Valid(s)) {
				return p.text[start : p.i-1], nil
			}
			return validUTF8(s), nil
		}
		if c == '\\' {
			return p.escaped(start)
		}
		if c < 0x20 {
			return "", p.fail()
		}
		p.i++
	}
	return "", p.fail()
}

// escaped finishes a string that has escapes, from its start.
func (p *parser) escaped(start int) (string, error) {
	buf := append([]byte(nil), p.data[start:p.i]...)
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			p.i++
			return validUTF8(buf), nil
		case c < 0x20:
			return "", p.fail()
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.data) {
			return "", p.fail()
		}
		e := p.data[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail()
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if p.i+1 < len(p.data) && p.data[p.i] == '\\' && p.data[p.i+1] == 'u' {
					p.i += 2
					if r2, ok = p.hex4(); !ok {
						return "", p.fail()
					}
				}
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					r = d
				} else {
					// A lone surrogate becomes U+FFFD; a code unit read after it
					// stands on its own.
					r = utf8.RuneError
					if r2 >= 0 {
						buf = utf8.AppendRune(buf, utf8.RuneError)
						if !utf16.IsSurrogate(r2) {
							r = r2
						}
					}
				}
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.fail()
		}
	}
	return "", p.fail()
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

// validUTF8 turns bytes into a string, each byte that is not valid UTF-8
// replaced by U+FFFD, as encoding/json does.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return string(out)
}
