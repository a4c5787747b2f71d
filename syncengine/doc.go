// Package syncengine is the client side of AppSync's DataStore sync protocol
// (SYNC-PROTOCOL.md §1, §3, §4): it sends the outbox's mutations to the
// server one at a time, runs the base, delta and full sync queries, keeps
// AppSync's real-time subscriptions and merges what arrives into the local
// store, with Amplify DataStore's rules and Hub events.
//
// It is pure Go and reaches the world only through interfaces: Transport
// (one GraphQL HTTP request), Dialer and Conn (a WebSocket), LocalStore (the
// records), Outbox (the mutation queue), MetadataStore (lastSync per model),
// Clock (time and timers, faked in tests). The browser wires them to fetch,
// WebSocket and IndexedDB through the bridge; native code and tests use the
// nethttp sub-package. It never imports net/http, so the wasm does not link
// it.
//
// # Wiring
//
// New(Config) builds a stopped Engine; Start runs it in the background
// (one online cycle: subscriptions, sync queries (models side by side, a
// model's records merged after those of the models it belongs to), then the
// outbox and the buffered subscription events; a failure restarts the
// cycle with backoff and the delta sync catches up); Stop ends it and
// waits. Each local write becomes NewMutation(...) passed to
// Engine.Enqueue, which applies Amplify's merge rules (PlanEnqueue) and
// wakes the sender; a cascade delete enqueues one delete per removed
// record, children first. Every write the engine makes goes through
// LocalStore.Apply, after Decide (the merge rule, shared by every store)
// has checked the record; those writes must not be queued again. Events
// arrive at Config.OnEvent in Amplify's Hub shape.
package syncengine
