package relation

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/datastore-wasm/datastore-wasm/store"
)

// Migrations keep the data when the schema changes. Stores and indexes
// follow the layout by themselves (store.OpenIndexedDB); what records
// cannot do by themselves is gain a value for a field that is new and
// required. The database remembers, in MetaStore, the schema it was last
// opened with; when a model gained required fields and stored records lack
// them, the app's migration function for that model rewrites every record,
// or, without one, opening fails naming the model and the fields.

// MetaStore holds what the database remembers of its schema.
const MetaStore = "__meta"

// SchemaInfo is what a database remembers of its schema: per model, the
// fields with their types.
type SchemaInfo struct {
	Models map[string]map[string]FieldInfo `json:"models"`
}

// FieldInfo is one remembered field.
type FieldInfo struct {
	Type     string `json:"type"`
	Required bool   `json:"required"`
	List     bool   `json:"list"`
}

// Info is what the database should remember of s.
func (s *Schema) Info() SchemaInfo {
	info := SchemaInfo{Models: map[string]map[string]FieldInfo{}}
	for _, m := range s.Models {
		fields := map[string]FieldInfo{}
		for _, f := range m.Fields {
			if f.Relation == nil {
				fields[f.Name] = FieldInfo{Type: f.Type, Required: f.requiredValue(), List: f.IsArray}
			}
		}
		info.Models[m.Name] = fields
	}
	return info
}

// requiredValue reports whether a record must hold a value for f.
//
//go:noinline
func (f *Field) requiredValue() bool {
	return (!f.IsArray && f.IsRequired) || (f.IsArray && !f.IsArrayNullable)
}

// Migration turns a record of model written under the previous schema into
// one of this schema.
type Migration func(model string, rec Record) (Record, error)

// newlyRequired lists the fields of m that records must now hold and need
// not have held before (new, or newly required), the managed ones aside.
//
//go:noinline
func newlyRequired(m *Model, old map[string]FieldInfo) []string {
	var out []string
	for _, f := range m.Fields {
		if f.Relation != nil || !f.requiredValue() || m.isTimestamp(f.Name) {
			continue
		}
		if before, ok := old[f.Name]; !ok || !before.Required {
			out = append(out, f.Name)
		}
	}
	return out
}

// fieldsChanged reports whether two remembered field sets differ.
//
//go:noinline
func fieldsChanged(old, now map[string]FieldInfo) bool {
	if len(old) != len(now) {
		return true
	}
	for k, v := range now {
		if before, ok := old[k]; !ok || before != v {
			return true
		}
	}
	return false
}

// Migrate brings the stored records to this schema (see the comment at the
// top of this file), in one read-write transaction with the new schema
// info, so that a failure leaves everything as it was. migrations are by
// model name.
func (e *Engine) Migrate(ctx context.Context, migrations map[string]Migration) error {
	var stored store.Record
	err := e.DB.Read(ctx, []string{MetaStore}, func(tx store.Tx) error {
		got, err := tx.Get(MetaStore, []store.Key{MetaKey.Key})
		if err == nil {
			stored = got[0]
		}
		return err
	})
	if err != nil {
		return err
	}
	return e.MigrateFrom(ctx, stored, migrations)
}

// MetaKey is the record of MetaStore that describes the schema the
// database was last opened with: a store can read it as it opens
// (store.OpenOptions.Peek) and hand it to MigrateFrom.
var MetaKey = store.RecordKey{Store: MetaStore, Key: "schema"}

// MigrateFrom is Migrate with the MetaKey record already read (nil: the
// database has none).
func (e *Engine) MigrateFrom(ctx context.Context, stored store.Record, migrations map[string]Migration) error {
	var old *SchemaInfo
	if stored != nil {
		old = &SchemaInfo{Models: map[string]map[string]FieldInfo{}}
		models, _ := stored["models"].(map[string]any)
		for name, fv := range models {
			fields := map[string]FieldInfo{}
			fm, _ := fv.(map[string]any)
			for fname, iv := range fm {
				im, _ := iv.(map[string]any)
				t, _ := im["type"].(string)
				req, _ := im["required"].(bool)
				list, _ := im["list"].(bool)
				fields[fname] = FieldInfo{Type: t, Required: req, List: list}
			}
			old.Models[name] = fields
		}
	}
	info := e.Schema.Info()
	var err error
	type work struct {
		m        *Model
		required []string
		migrate  Migration
	}
	var todo []work
	stores := []string{MetaStore}
	if old != nil {
		for _, m := range e.Schema.Models {
			before, existed := old.Models[m.Name]
			if !existed || !fieldsChanged(before, info.Models[m.Name]) {
				continue
			}
			w := work{m: m, required: newlyRequired(m, before), migrate: migrations[m.Name]}
			if len(w.required) > 0 || w.migrate != nil {
				todo = append(todo, w)
				stores = append(stores, m.Name)
			}
		}
	}
	if old != nil && len(todo) == 0 && !infoChanged(*old, info) {
		return nil
	}
	err = e.DB.Write(ctx, stores, func(tx store.Tx) error {
		for _, w := range todo {
			res, err := tx.Query([]store.Query{{Store: w.m.Name}})
			if err != nil {
				return err
			}
			var out []store.Record
			missing := 0
			for _, rec := range res[0] {
				if w.migrate != nil {
					seq := rec[seqField]
					public(rec)
					next, err := w.migrate(w.m.Name, rec)
					if err != nil {
						return userErr(ErrSchema, "Migration of %s (%s) failed: %v", w.m.Name, w.m.describeKey(rec), err)
					}
					if !slices.Equal(keyText(w.m, next), keyText(w.m, rec)) {
						return userErr(ErrSchema, "Migration of %s (%s) changed its primary key; a migration may change other fields only", w.m.Name, w.m.describeKey(rec))
					}
					if err := e.Schema.ValidateForSave(w.m, next); err != nil {
						return userErr(ErrSchema, "Migration of %s (%s) gave an invalid record: %v", w.m.Name, w.m.describeKey(rec), err)
					}
					next[seqField] = seq
					out = append(out, next)
					continue
				}
				for _, f := range w.required {
					if rec[f] == nil {
						missing++
						break
					}
				}
			}
			if missing > 0 {
				return userErr(ErrSchema, "%s.%s %s new and required, and %d stored %s no value for it: pass a migration, as createDataStore({ schema, migrations: { %s: (record) => ({ ...record, %s: ... }) } }), or make the field optional",
					w.m.Name, strings.Join(w.required, ", "+w.m.Name+"."), isAre(len(w.required)), missing, recordsHave(missing), w.m.Name, w.required[0])
			}
			tx.Put(w.m.Name, out)
		}
		tx.Put(MetaStore, []store.Record{schemaRecord(info)})
		return nil
	})
	// Over quota, a database whose records need no migration opens without
	// recording the new schema description (the next open tries again):
	// reads keep working, and writes report the quota themselves.
	if errors.Is(err, store.ErrQuota) && old != nil && len(todo) == 0 {
		return nil
	}
	return err
}

// RememberSchema is Migrate for a database the open just created: there
// is nothing stored to read or migrate, so it only writes the schema
// description, saving a read transaction at a first visit's start-up.
func (e *Engine) RememberSchema(ctx context.Context) error {
	rec := schemaRecord(e.Schema.Info())
	return e.DB.Write(ctx, []string{MetaStore}, func(tx store.Tx) error {
		tx.Put(MetaStore, []store.Record{rec})
		return nil
	})
}

// MetaSeed is what a database created for s starts with in MetaStore (the
// record RememberSchema writes), for store.OpenOptions.Seed: put in the
// upgrade that creates the stores, it saves a first visit's start-up the
// write transaction of RememberSchema.
func (s *Schema) MetaSeed() []store.SeedRecord {
	return []store.SeedRecord{{Store: MetaStore, Record: schemaRecord(s.Info())}}
}

func schemaRecord(info SchemaInfo) store.Record {
	return store.Record{"key": MetaKey.Key, "models": infoValue(info)}
}

func keyText(m *Model, rec Record) []string {
	out := make([]string, len(m.PrimaryKey))
	for i, f := range m.PrimaryKey {
		out[i] = store.JSONText(rec[f])
	}
	return out
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func recordsHave(n int) string {
	if n == 1 {
		return "record has"
	}
	return "records have"
}

// infoChanged reports whether two schema descriptions differ. It compares
// the maps directly: it runs at every open, and formatting them (fmt over
// nested maps, through reflection) cost milliseconds at start-up.
//
//go:noinline
func infoChanged(a, b SchemaInfo) bool {
	if len(a.Models) != len(b.Models) {
		return true
	}
	for name, now := range b.Models {
		old, ok := a.Models[name]
		if !ok || fieldsChanged(old, now) {
			return true
		}
	}
	return false
}

// infoValue is the info as a JSON value.
//
//go:noinline
func infoValue(info SchemaInfo) map[string]any {
	models := map[string]any{}
	for name, fields := range info.Models {
		fm := map[string]any{}
		for f, fi := range fields {
			fm[f] = map[string]any{"type": fi.Type, "required": fi.Required, "list": fi.List}
		}
		models[name] = fm
	}
	return models
}
