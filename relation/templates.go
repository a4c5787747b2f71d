package relation

import "github.com/datastore-wasm/datastore-wasm/store"

// Read templates: store queries planned once per schema, for the reads
// that only need a key filled in (by key, by relation, by equality on an
// indexed field, everything). The JavaScript module fills them in and
// sends them to the store's executor itself, so these reads cost no call
// into Go; anything else is planned per call.

// KeyRead is the template of a read of m by its primary key: the caller
// sets Range to the key (the value, or the values in key order).
func (m *Model) KeyRead() store.Query {
	return store.Query{Store: m.Name, Omit: storageOnly}
}

// Read is the template of the read of what r reaches from a record, by
// key or index: the caller sets Range to the record's local join values.
// ok is false when no key or index serves (the lookup needs planning).
func (r *Relation) Read() (q store.Query, ok bool) {
	q = r.Target.lookupQuery(r.RemoteFields, make([]any, len(r.RemoteFields)))
	if q.Filter != nil {
		return store.Query{}, false
	}
	q.Range = nil
	q.Order, q.Omit = insertionOrder, storageOnly
	return q, true
}

// EqRead is the template of the read that answers f = value, when a key or
// an index answers it exactly: the caller sets Range to the value (of the
// field's JavaScript type, JSType; null is not in any index). ok is false
// otherwise.
func (m *Model) EqRead(f *Field) (q store.Query, ok bool) {
	if f.Relation != nil || f.IsArray || (f.Kind != KindScalar && f.Kind != KindEnum) || f.Type == "AWSJSON" {
		return store.Query{}, false
	}
	var sample any = "x"
	if f.JSType() == "number" {
		sample = 1.0
	} else if f.JSType() != "string" {
		return store.Query{}, false
	}
	q = m.plan(&Predicate{Field: f.Name, Op: "eq", Value: sample})
	if q.Filter != nil || q.Range == nil || q.Range.Eq == nil {
		return store.Query{}, false
	}
	q.Range = nil
	q.Order, q.Omit = insertionOrder, storageOnly
	return q, true
}

// JSType is the JavaScript type of f's values: string, number, boolean or
// object.
func (f *Field) JSType() string {
	switch f.Kind {
	case KindEnum:
		return "string"
	case KindScalar:
		if f.Type == "AWSJSON" {
			return "object"
		}
		return jsTypeOfScalar(f.Type)
	}
	return "object"
}

// AllRead is the read of every record of m, in insertion order.
func (m *Model) AllRead() store.Query {
	return store.Query{Store: m.Name, Order: insertionOrder, Omit: storageOnly}
}
