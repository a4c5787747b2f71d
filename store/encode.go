package store

import (
	"strconv"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// JSON encoding of the plans and queries sent to the IndexedDB executor,
// written out field by field: encoding/json's reflection costs 20-30 µs a
// plan in wasm, on every operation.

type object struct {
	dst   []byte
	empty bool
}

func begin(dst []byte) *object { return &object{dst: append(dst, '{'), empty: true} }

func (o *object) key(k string) {
	if !o.empty {
		o.dst = append(o.dst, ',')
	}
	o.empty = false
	o.dst = jv.AppendString(o.dst, k)
	o.dst = append(o.dst, ':')
}

func (o *object) value(k string, v any) {
	o.key(k)
	o.dst = jv.Append(o.dst, v)
}

func (o *object) str(k, v string) {
	if v != "" {
		o.key(k)
		o.dst = jv.AppendString(o.dst, v)
	}
}

func (o *object) strings(k string, v []string) {
	if len(v) > 0 {
		o.key(k)
		o.dst = append(o.dst, '[')
		for i, s := range v {
			if i > 0 {
				o.dst = append(o.dst, ',')
			}
			o.dst = jv.AppendString(o.dst, s)
		}
		o.dst = append(o.dst, ']')
	}
}

func (o *object) int(k string, v int) {
	if v != 0 {
		o.number(k, v)
	}
}

// number writes k and v, zero included (v boxed in an any would cost an
// allocation a field).
func (o *object) number(k string, v int) {
	o.key(k)
	o.dst = strconv.AppendInt(o.dst, int64(v), 10)
}

func (o *object) flag(k string, v bool) {
	if v {
		o.value(k, true)
	}
}

func (o *object) end() []byte { return append(o.dst, '}') }

// AppendJSON writes the range as JSON.
func (r *Range) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	if r.Eq != nil {
		o.value("eq", r.Eq)
	}
	if r.Lower != nil {
		o.value("lower", r.Lower)
	}
	if r.Upper != nil {
		o.value("upper", r.Upper)
	}
	o.flag("lowerOpen", r.LowerOpen)
	o.flag("upperOpen", r.UpperOpen)
	return o.end()
}

// AppendJSON writes the filter as JSON.
func (f *Filter) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.str("group", f.Group)
	if len(f.Children) > 0 {
		o.key("children")
		o.dst = jv.AppendList(o.dst, f.Children)
	}
	o.str("field", f.Field)
	o.str("op", f.Op)
	if f.Value != nil {
		o.value("value", f.Value)
	}
	return o.end()
}

// AppendJSON writes the order as JSON.
func (s Order) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.str("field", s.Field)
	o.flag("desc", s.Desc)
	return o.end()
}

// AppendJSON writes the query as JSON.
func (q Query) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.str("store", q.Store)
	o.str("index", q.Index)
	if q.Range != nil {
		o.key("range")
		o.dst = q.Range.AppendJSON(o.dst)
	}
	if q.Keys != nil {
		o.value("keys", q.Keys)
	} else {
		o.value("keys", nil) // as encoding/json writes it: null reads no keys list
	}
	o.int("limit", q.Limit)
	o.flag("reverse", q.Reverse)
	if q.Filter != nil {
		o.key("filter")
		o.dst = q.Filter.AppendJSON(o.dst)
	}
	if len(q.Order) > 0 {
		o.key("order")
		o.dst = jv.AppendList(o.dst, q.Order)
	}
	o.int("offset", q.Offset)
	o.int("count", q.Count)
	o.strings("omit", q.Omit)
	return o.end()
}

// AppendJSON writes the edge as JSON.
func (e Edge) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.str("action", e.Action)
	o.str("message", e.Message)
	o.strings("from", e.From)
	o.str("store", e.Store)
	o.flag("key", e.Key)
	o.str("index", e.Index)
	o.strings("to", e.To)
	if len(e.Order) > 0 {
		o.key("order")
		o.dst = jv.AppendList(o.dst, e.Order)
	}
	return o.end()
}

// AppendJSON writes the spec as JSON.
func (s IncludeSpec) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.dst = o.dst[:len(o.dst)-1] // reuse the edge's fields
	o.dst = s.Edge.AppendJSON(o.dst)
	o.dst = o.dst[:len(o.dst)-1] // drop its closing brace
	o.empty = false
	o.str("field", s.Field)
	o.flag("many", s.Many)
	o.strings("omit", s.Omit)
	if len(s.Include) > 0 {
		o.key("include")
		o.dst = jv.AppendList(o.dst, s.Include)
	}
	return o.end()
}

// AppendJSON writes the plan as JSON.
func (p TreePlan) AppendJSON(dst []byte) []byte {
	o := begin(dst)
	o.key("roots")
	o.dst = p.Roots.AppendJSON(o.dst)
	if p.RootKey != nil {
		o.value("rootKey", p.RootKey)
	}
	if len(p.Include) > 0 {
		o.key("include")
		o.dst = jv.AppendList(o.dst, p.Include)
	}
	o.strings("scope", p.Scope)
	return o.end()
}
