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

// AppendGeneratedID tells whether the record is init, the values it was
// constructed from, with only its id generated: init's every key is a
// field of the model (a relation field's key fields are not), the record
// has each given value as it was given (strings, numbers, booleans and
// null only), and each field init leaves out is null but for an "id" the
// constructor generated, a string JSON writes as it is. It then appends
// that id, unquoted ("" when init gave the id), and reports true;
// otherwise it appends nothing and reports false. The module builds the
// instance from init and the id, in schema order, instead of parsing the
// whole record (js/models.js, fillAnswer).
func (o Ordered) AppendGeneratedID(dst []byte, init Record) ([]byte, bool) {
	start := len(dst)
	given, fields := 0, 0
	for _, f := range o.Model.Fields {
		if f.Relation != nil {
			continue
		}
		fields++
		v, ok := o.Record[f.Name]
		if !ok {
			return dst[:start], false
		}
		if g, isGiven := init[f.Name]; isGiven {
			if !scalar(g) || v != g {
				return dst[:start], false
			}
			given++
			continue
		}
		if v == nil {
			continue
		}
		id, isString := v.(string)
		if f.Name != "id" || !isString || !plainText(id) {
			return dst[:start], false
		}
		dst = append(dst, id...)
	}
	if given != len(init) || fields != len(o.Record) {
		return dst[:start], false
	}
	return dst, true
}

// scalar reports whether v is a JSON string, number, boolean or null.
func scalar(v any) bool {
	switch v.(type) {
	case nil, string, float64, bool:
		return true
	}
	return false
}

// plainText reports whether JSON writes s as it is, between quotes:
// printable ASCII without quotes or backslashes.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
