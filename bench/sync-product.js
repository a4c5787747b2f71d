// datastore-wasm's client for the sync benchmarks (bench/sync-driver.js):
// createDataStore({ schema, sync: { endpoint, apiKey } }), its sync Hub
// events from DataStore.events (source 'sync').
import { createDataStore } from '/dist/index.js';
import { makeDriver } from './sync-driver.js';

let ds;
let models;

window.syncBench = makeDriver({
  async open({ endpoint, apiKey, sdl, observe }, hooks) {
    ({ DataStore: ds, models } = createDataStore({ schema: sdl, databaseName: 'sync-bench', sync: { endpoint, apiKey } }));
    ds.events.subscribe((e) => { if (e.source === 'sync') hooks.event(e.event, e.data); });
    ds.configure({ errorHandler: (e) => console.error('DataStore errorHandler', JSON.stringify(e)) });
    if (observe) ds.observe(models.Post).subscribe((m) => { if (m.opType === 'INSERT') hooks.insert(m.element.title); });
  },
  start: () => ds.start(),
  subscribed: (wait) => wait((e) => e.event === 'subscriptionsEstablished', 'subscriptionsEstablished'),
  save: (title) => ds.save(new models.Post({ title, rating: 1, status: 'ACTIVE' })),
  async count() {
    return { posts: (await ds.query(models.Post)).length, comments: (await ds.query(models.Comment)).length };
  },
  stop: () => ds.stop(),
  clear: () => ds.clear(),
});
