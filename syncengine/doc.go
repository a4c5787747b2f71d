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
package syncengine
