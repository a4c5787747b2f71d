// Amplify's own client (aws-amplify 6 / @aws-amplify/datastore 5, pinned in
// package.json) for the sync benchmarks (bench/sync-driver.js): bench/sync.mjs
// bundles this file with esbuild into a temporary folder (never committed).
// The Hub events come from Hub channel 'datastore'; the subscriptions count as
// established once the server acknowledged all three (create, update, delete)
// of each synced model (Hub channel 'api', 'Subscription ack').
import { Amplify } from 'aws-amplify';
import { Hub } from 'aws-amplify/utils';
import { DataStore, initSchema } from '@aws-amplify/datastore';
import { makeDriver } from './sync-driver.js';

let models;
let acks = 0;
let synced = 0;
const ackWaiters = new Set();

window.syncBench = makeDriver({
  async open({ endpoint, apiKey, codegen, observe }, hooks) {
    models = initSchema(codegen);
    synced = Object.values(codegen.models).filter((m) => m.syncable).length;
    Hub.listen('datastore', ({ payload }) => hooks.event(payload.event, payload.data && typeof payload.data === 'object'
      ? { isEmpty: payload.data.isEmpty } : undefined));
    Hub.listen('api', ({ payload }) => {
      if (payload.event !== 'Subscription ack') return;
      acks++;
      for (const w of [...ackWaiters]) w();
    });
    Amplify.configure({ API: { GraphQL: { endpoint, region: 'us-east-1', defaultAuthMode: 'apiKey', apiKey } } });
    DataStore.configure({ errorHandler: (e) => console.error('DataStore errorHandler', e && e.message) });
    if (observe) DataStore.observe(models.Post).subscribe((m) => { if (m.opType === 'INSERT') hooks.insert(m.element.title); });
  },
  start: () => DataStore.start(),
  subscribed() {
    return new Promise((resolve) => {
      const check = () => { if (acks >= 3 * synced) { ackWaiters.delete(check); resolve(); } };
      ackWaiters.add(check);
      check();
    });
  },
  save: (title) => DataStore.save(new models.Post({ title, rating: 1, status: 'ACTIVE' })),
  async count() {
    return { posts: (await DataStore.query(models.Post)).length, comments: (await DataStore.query(models.Comment)).length };
  },
  stop: () => DataStore.stop(),
  clear: () => DataStore.clear(),
});
