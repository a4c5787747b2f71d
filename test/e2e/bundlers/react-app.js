// A small React app over datastore-wasm/react: a live list filtered by a
// minimum rating (a dep of its predicate), a one-shot count, and a query
// that fails. window.app lets the test write, as another part of an app
// (or another tab) would.
import { createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createDataStore } from 'datastore-wasm';
import { useLiveQuery, useQuery } from 'datastore-wasm/react';

const { DataStore, models: { Note } } = createDataStore({
  schema: 'type Note @model { id: ID! text: String! rating: Int! }',
  databaseName: 'react-app',
});
const states = [];
globalThis.app = { DataStore, Note, states, save: (text, rating) => DataStore.save(new Note({ text, rating })) };

function List({ min }) {
  const live = useLiveQuery(Note, (n) => n.rating.ge(min), { dataStore: DataStore, deps: [min], sort: (s) => s.text() });
  const once = useQuery(Note, null, { dataStore: DataStore });
  const state = live.loading ? 'loading' : live.error ? `error: ${live.error.message}` : 'ready';
  states.push(state);
  return h('div', null,
    h('p', { id: 'state' }, state),
    h('ul', { id: 'list' }, (live.data || []).map((n) => h('li', { key: n.id }, n.text))),
    h('p', { id: 'once' }, once.data ? String(once.data.length) : '-'));
}

function Failing() {
  const { error, loading } = useQuery(Note, (n) => n.nope.eq(1), { dataStore: DataStore });
  return h('p', { id: 'failing' }, loading ? 'loading' : error ? error.message : 'no error');
}

function App() {
  const [min, setMin] = useState(0);
  globalThis.app.setMin = setMin;
  return h('main', null, h(List, { min }), h(Failing));
}

createRoot(document.getElementById('root')).render(h(App));
