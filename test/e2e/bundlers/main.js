// The app each bundler builds: save, query and observe through the
// package as an app imports it. ?db= names its database; ?wasmURL= makes
// it pass the wasm's URL (for a bundle the wasm is not beside).
import { createDataStore } from 'datastore-wasm';

const params = new URLSearchParams(globalThis.location ? globalThis.location.search : '');
const options = { schema: 'type Note @model { id: ID! text: String! rating: Int }', databaseName: `app-${params.get('db') || 'node'}` };
const wasmURL = params.get('wasmURL');

export async function run() {
  const { DataStore, models: { Note } } = wasmURL ? await createDataStore({ ...options, wasmURL }) : createDataStore(options);
  let sub;
  const observed = new Promise((resolve) => {
    sub = DataStore.observe(Note).subscribe(({ opType, element }) => resolve(`${opType} ${element.text}`));
  });
  const note = await DataStore.save(new Note({ text: 'hello', rating: 3 }));
  const byId = await DataStore.query(Note, note.id);
  const matching = await DataStore.query(Note, (n) => n.rating.gt(2));
  const message = await observed;
  sub.unsubscribe();
  return { text: byId.text, count: matching.length, message };
}

if (globalThis.document) {
  run().then((r) => { globalThis.__result = r; }, (err) => { globalThis.__result = { error: String(err && err.stack || err) }; });
}
