package store

// What an outbox entry records besides the record, for a sync engine to
// send what Amplify sends: an update's changed fields (its mutation
// carries those, the key and _version) and the save's condition.

// changedFields lists the fields whose values differ between rec (the
// record written) and stored (the record it replaces), fields only one of
// them has included, leaving out those in omit (storage-only fields).
func changedFields(rec, stored Record, omit []string) []any {
	skip := func(k string) bool {
		for _, f := range omit {
			if f == k {
				return true
			}
		}
		return false
	}
	changed := []any{}
	for k, v := range rec {
		if w, ok := stored[k]; !skip(k) && (!ok || !DeepEqual(v, w)) {
			changed = append(changed, k)
		}
	}
	for k := range stored {
		if _, ok := rec[k]; !ok && !skip(k) {
			changed = append(changed, k)
		}
	}
	return changed
}

// filterValue is f as a JSON value, in the shape Filter's JSON has (and
// relation.PredicateFrom reads).
func filterValue(f *Filter) map[string]any {
	out := map[string]any{}
	if f.Group != "" {
		out["group"] = f.Group
	}
	if len(f.Children) > 0 {
		kids := make([]any, len(f.Children))
		for i, c := range f.Children {
			kids[i] = filterValue(c)
		}
		out["children"] = kids
	}
	if f.Field != "" {
		out["field"] = f.Field
	}
	if f.Op != "" {
		out["op"] = f.Op
	}
	if f.Value != nil {
		out["value"] = f.Value
	}
	return out
}

// withUpdate adds to e, the outbox entry of an update of stored, the
// fields the update changed and the plan's condition, if any.
func withUpdate(e Record, rec, stored Record, omit []string, condition *Filter) Record {
	e["changed"] = changedFields(rec, stored, omit)
	if condition != nil {
		e["condition"] = filterValue(condition)
	}
	return e
}
