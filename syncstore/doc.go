// Package syncstore connects the sync engine (syncengine) to a DataStore's
// database (relation.Engine over a store.DB, IndexedDB in the browser or
// memory in tests): the LocalStore the engine merges into, the Outbox it
// drains, and the MetadataStore that remembers lastSync per model.
//
// The outbox is relation's own mutation log (relation.OutboxStore): every
// local write, cascaded deletes included, appends its full record there in
// the transaction that makes it. Outbox reads that log in order (Ingest),
// merges the entries with Amplify's rules (syncengine.PlanEnqueue) into a
// queue kept in memory, and removes an entry from the log only once the
// server has taken the mutation it became part of: a reload replays the
// log and rebuilds the same queue. An update's log entry lists the fields
// the save changed and carries its condition: its mutation sends those
// fields, the key and _version (merged updates send the union), with the
// condition, as Amplify does.
package syncstore
