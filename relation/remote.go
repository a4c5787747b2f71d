package relation

import (
	"context"
	"fmt"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// RemoteChange is one write a sync engine makes with what the server sent:
// Record is put (Delete false) or the record with its key removed. These
// writes are not local mutations: they never reach the outbox, and a delete
// removes that record only (the server sends one delete per record a
// cascade removed).
type RemoteChange struct {
	Delete bool
	Record Record
}

// RemoteResult is what ApplyRemote did to one record: Op is INSERT,
// UPDATE or DELETE ("" when a delete found nothing), Record the record as
// stored (or as it was, for a delete), without storage-only fields. For a
// put it may be the change's own Record map: callers do not modify either.
type RemoteResult struct {
	Op     OpType
	Record Record
}

// GetRecords returns the stored records of model with the keys of keys
// (records holding at least the key fields), in order, nil where none is
// stored.
func (e *Engine) GetRecords(ctx context.Context, model string, keys []Record) ([]Record, error) {
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	ks := make([]store.Key, len(keys))
	for i, k := range keys {
		ks[i] = m.KeyOf(k)
	}
	var out []Record
	err = e.DB.Read(ctx, []string{m.Name}, func(tx store.Tx) error {
		recs, err := tx.Get(m.Name, ks)
		if err != nil {
			return err
		}
		out = make([]Record, len(recs))
		for i, r := range recs {
			if r != nil {
				out[i] = public(r)
			}
		}
		return nil
	})
	return out, err
}

// ApplyRemote makes changes to model's store in one transaction, bypassing
// the outbox: a put keeps the stored record's insertion sequence (a new
// record gets the next one), a delete removes only that record.
func (e *Engine) ApplyRemote(ctx context.Context, model string, changes []RemoteChange) ([]RemoteResult, error) {
	keys := make([]Record, len(changes))
	for i, c := range changes {
		keys[i] = c.Record
	}
	return e.MergeRemote(ctx, model, keys, func([]Record) []RemoteChange { return changes })
}

// MergeRemote is ApplyRemote for a merge that decides from the stored
// records: in one transaction it reads the stored records with the keys of
// keys (records holding at least the key fields), hands them to decide (in
// order, without storage-only fields, nil where none is stored) and makes
// the changes decide returns. decide must not block: it runs while the
// transaction is open. The stored records are read with one range request
// when the keys are close together (a sync page in key order), else one
// request per key.
func (e *Engine) MergeRemote(ctx context.Context, model string, keys []Record, decide func(stored []Record) []RemoteChange) ([]RemoteResult, error) {
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	ks := make([]store.Key, len(keys))
	for i, k := range keys {
		ks[i] = m.KeyOf(k)
	}
	var results []RemoteResult
	err = e.DB.Write(ctx, []string{m.Name}, func(tx store.Tx) error {
		stored, err := readKeys(tx, m, ks)
		if err != nil {
			return err
		}
		pub := make([]Record, len(stored))
		for i, r := range stored {
			if r != nil {
				pub[i] = public(copyRec(r))
			}
		}
		changes := decide(pub)
		if len(changes) == 0 {
			return nil
		}
		// The stored record of each change's key, from the read above.
		byKey := make(map[string]Record, len(ks))
		for i, k := range ks {
			byKey[store.JSONText(k)] = stored[i]
		}
		keys := make([]store.Key, len(changes))
		prev := make([]Record, len(changes))
		for i, c := range changes {
			keys[i] = m.KeyOf(c.Record)
			var found bool
			if prev[i], found = byKey[store.JSONText(keys[i])]; !found {
				return fmt.Errorf("%s: a merge decided a change of %s, a key it was not given", m.Name, m.describeKey(c.Record))
			}
		}
		results = e.applyRemote(tx, m, changes, keys, prev)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// rangeReadMin is the fewest keys readKeys reads with one range request.
const rangeReadMin = 32

// readKeys reads the records of m with keys, in order, nil where none is
// stored. Many keys are read with one getAll over [lowest, highest], which
// costs one request instead of one per key, when that range holds at most
// twice as many records as there are keys (a page of a base sync comes in
// key order); otherwise, and for few keys, with one get per key.
func readKeys(tx store.Tx, m *Model, keys []store.Key) ([]Record, error) {
	if len(keys) >= rangeReadMin {
		lo, hi := keys[0], keys[0]
		valid := store.ValidKey(lo)
		for _, k := range keys[1:] {
			if !store.ValidKey(k) {
				valid = false
				break
			}
			if store.CompareKeys(k, lo) < 0 {
				lo = k
			}
			if store.CompareKeys(k, hi) > 0 {
				hi = k
			}
		}
		if valid {
			limit := 2 * len(keys)
			res, err := tx.Query([]store.Query{{Store: m.Name, Range: &store.Range{Lower: lo, Upper: hi}, Limit: limit + 1}})
			if err != nil {
				return nil, err
			}
			if len(res[0]) <= limit {
				byKey := make(map[string]Record, len(res[0]))
				for _, r := range res[0] {
					byKey[store.JSONText(m.KeyOf(r))] = r
				}
				out := make([]Record, len(keys))
				for i, k := range keys {
					out[i] = byKey[store.JSONText(k)]
				}
				return out, nil
			}
		}
	}
	return tx.Get(m.Name, keys)
}

// applyRemote makes changes in tx; keys are the changes' keys and stored
// the records stored with them before tx's writes.
func (e *Engine) applyRemote(tx store.Tx, m *Model, changes []RemoteChange, keys []store.Key, stored []Record) []RemoteResult {
	results := make([]RemoteResult, len(changes))
	// A key changed twice in one call: the later change sees the
	// earlier one.
	seen := map[string]Record{}
	// Consecutive puts go out as one request list (one put op for the
	// executor instead of one per record), in order with the deletes.
	var puts []store.Record
	flush := func() {
		if len(puts) > 0 {
			tx.Put(m.Name, puts)
			puts = nil
		}
	}
	defer flush()
	for i, c := range changes {
		id := store.JSONText(keys[i])
		prev, again := seen[id]
		if !again {
			prev = stored[i]
		}
		if c.Delete {
			seen[id] = nil
			if prev != nil {
				flush()
				tx.Delete(m.Name, []store.Key{keys[i]})
				results[i] = RemoteResult{Op: Delete, Record: public(copyRec(prev))}
			}
			continue
		}
		// The stored copy carries the sequence; the result is the
		// change's own record when it has no storage-only field (a
		// record from the server never has): one copy per record, not two.
		rec := make(Record, len(c.Record)+1)
		for k, v := range c.Record {
			rec[k] = v
		}
		shown := c.Record
		if _, has := shown[seqField]; has {
			shown = public(copyRec(shown))
		}
		op := Insert
		if prev != nil {
			op = Update
			rec[seqField] = prev[seqField]
		} else {
			rec[seqField] = e.seq.next()
		}
		puts = append(puts, rec)
		seen[id] = rec
		results[i] = RemoteResult{Op: op, Record: shown}
	}
	return results
}

func copyRec(r Record) Record {
	out := make(Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}
