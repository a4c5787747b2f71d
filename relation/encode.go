package relation

import (
	"sort"

	jv "github.com/datastore-wasm/datastore-wasm/internal/jsonvalue"
)

// Ordered pairs a record with its model so that it is written with the
// model's fields first, in schema order, then any other keys sorted:
// instances built from it list their fields as the schema declares them.
type Ordered struct {
	Model  *Model
	Record Record
}

// AppendJSON writes the record as JSON, without reflection.
func (o Ordered) AppendJSON(dst []byte) []byte {
	if o.Record == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	found := 0
	for _, f := range o.Model.Fields {
		if v, ok := o.Record[f.Name]; ok {
			dst = appendMember(dst, found == 0, f.Name, v)
			found++
		}
	}
	if found < len(o.Record) { // keys that are not fields, sorted
		for _, k := range o.Model.extraKeys(o.Record) {
			dst = appendMember(dst, found == 0, k, o.Record[k])
			found++
		}
	}
	return append(dst, '}')
}

// appendMember appends one "key":value of an object, after a comma unless first.
func appendMember(dst []byte, first bool, k string, v any) []byte {
	if !first {
		dst = append(dst, ',')
	}
	dst = jv.AppendString(dst, k)
	dst = append(dst, ':')
	return jv.Append(dst, v)
}

// extraKeys lists, sorted, the keys of rec that are not fields of m.
func (m *Model) extraKeys(rec Record) []string {
	var extra []string
	for k := range rec {
		if m.Field(k) == nil {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	return extra
}

// OrderedList is records of one model, for encoding in schema order.
type OrderedList []Ordered

// OrderedAll pairs records of one model for encoding.
func OrderedAll(m *Model, recs []Record) OrderedList {
	out := make(OrderedList, len(recs))
	for i, r := range recs {
		out[i] = Ordered{m, r}
	}
	return out
}

// AppendJSON writes the records as a JSON array.
func (l OrderedList) AppendJSON(dst []byte) []byte { return jv.AppendList(dst, l) }
