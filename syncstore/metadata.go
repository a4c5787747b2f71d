package syncstore

import (
	"context"

	"github.com/datastore-wasm/datastore-wasm/relation"
	"github.com/datastore-wasm/datastore-wasm/store"
	"github.com/datastore-wasm/datastore-wasm/syncengine"
)

// metadataPrefix starts the keys of sync metadata in relation.MetaStore,
// one record per model: {key: "sync:Post", lastSync, lastFullSync,
// lastSyncPredicate}.
const metadataPrefix = "sync:"

// Metadata is the engine's MetadataStore in the database's relation.MetaStore.
type Metadata struct {
	DB store.DB
}

// GetMetadata implements syncengine.MetadataStore.
func (md *Metadata) GetMetadata(ctx context.Context, model string) (syncengine.ModelMetadata, error) {
	out := syncengine.ModelMetadata{Model: model}
	err := md.DB.Read(ctx, []string{relation.MetaStore}, func(tx store.Tx) error {
		recs, err := tx.Get(relation.MetaStore, []store.Key{metadataPrefix + model})
		if err != nil || recs[0] == nil {
			return err
		}
		r := recs[0]
		out.LastSync = int64(number(r["lastSync"]))
		out.LastFullSync = int64(number(r["lastFullSync"]))
		out.LastSyncPredicate, _ = r["lastSyncPredicate"].(string)
		return nil
	})
	return out, err
}

// PutMetadata implements syncengine.MetadataStore.
func (md *Metadata) PutMetadata(ctx context.Context, m syncengine.ModelMetadata) error {
	return md.DB.Write(ctx, []string{relation.MetaStore}, func(tx store.Tx) error {
		tx.Put(relation.MetaStore, []store.Record{{
			"key": metadataPrefix + m.Model, "lastSync": float64(m.LastSync),
			"lastFullSync": float64(m.LastFullSync), "lastSyncPredicate": m.LastSyncPredicate,
		}})
		return nil
	})
}

func number(v any) float64 {
	f, _ := v.(float64)
	return f
}
