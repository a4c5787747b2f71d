package relation

import (
	"context"

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
// stored (or as it was, for a delete), without storage-only fields.
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
	m, err := e.model(model)
	if err != nil {
		return nil, err
	}
	keys := make([]store.Key, len(changes))
	for i, c := range changes {
		keys[i] = m.KeyOf(c.Record)
	}
	results := make([]RemoteResult, len(changes))
	err = e.DB.Write(ctx, []string{m.Name}, func(tx store.Tx) error {
		stored, err := tx.Get(m.Name, keys)
		if err != nil {
			return err
		}
		// A key changed twice in one call: the later change sees the
		// earlier one.
		seen := map[string]Record{}
		for i, c := range changes {
			id := store.JSONText(keys[i])
			prev, again := seen[id]
			if !again {
				prev = stored[i]
			}
			if c.Delete {
				seen[id] = nil
				if prev != nil {
					tx.Delete(m.Name, []store.Key{keys[i]})
					results[i] = RemoteResult{Op: Delete, Record: public(copyRec(prev))}
				}
				continue
			}
			rec := copyRec(c.Record)
			op := Insert
			if prev != nil {
				op = Update
				rec[seqField] = prev[seqField]
			} else {
				rec[seqField] = e.seq.next()
			}
			tx.Put(m.Name, []store.Record{rec})
			seen[id] = rec
			results[i] = RemoteResult{Op: op, Record: public(copyRec(rec))}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

func copyRec(r Record) Record {
	out := make(Record, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}
