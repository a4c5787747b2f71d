// The page side of the sync benchmarks (bench/sync.mjs), shared by both
// clients: bench/sync-product.js (datastore-wasm) and bench/sync-amplify.mjs
// (Amplify's own client) each give makeDriver a small client object, and the
// driver built from it is window.syncBench, which sync.mjs calls with
// page.evaluate. Both clients are timed by the same code:
//
//   start()          DataStore.start() called → the sync 'ready' Hub event
//   expect(title)    when an observe INSERT of a Post with this title arrived
//   save(title)      when DataStore.save was called (and that it resolved)
//   drained(since)   when the first outboxStatus {isEmpty: true} at or past
//                    event index since arrived
//
// Times are stamp(): performance.timeOrigin + performance.now(), ms since the
// epoch with sub-ms resolution, comparable between pages (and with Node's
// own performance.timeOrigin + performance.now()) on one machine.
export const stamp = () => performance.timeOrigin + performance.now();

/**
 * client: { open(config, hooks), start(), save(title), count(), subscribed(), stop(), clear() }.
 * open must call hooks.event(name, data) for every sync Hub event and, when
 * config.observe is set, hooks.insert(title) for every observe INSERT of a Post.
 */
export function makeDriver(client) {
  const events = []; // {event, data, at}
  const eventWaiters = new Set();
  const arrivals = new Map(); // Post title → stamp of its observe INSERT
  const arrivalWaiters = new Map(); // title → resolve
  let online = null;

  const hooks = {
    event(name, data) {
      const e = { event: name, data, at: stamp(), seq: events.length };
      events.push(e);
      for (const w of [...eventWaiters]) if (e.seq >= w.since && w.match(e)) { eventWaiters.delete(w); w.resolve(e); }
    },
    insert(title) {
      if (arrivals.has(title)) return;
      const at = stamp();
      arrivals.set(title, at);
      const w = arrivalWaiters.get(title);
      if (w) { arrivalWaiters.delete(title); w(at); }
    },
  };

  function waitEvent(match, since = 0, timeoutMs = 120_000, what = 'event') {
    const found = events.slice(since).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const w = { match, since, resolve };
      eventWaiters.add(w);
      setTimeout(() => {
        if (!eventWaiters.delete(w)) return;
        reject(new Error(`no ${what} within ${timeoutMs} ms; last events: ${events.slice(-8).map((e) => `${e.event} ${JSON.stringify(e.data)}`).join(', ')}`));
      }, timeoutMs);
    });
  }

  addEventListener('online', () => { online = stamp(); });

  return {
    /** Creates the DataStore (not started): {endpoint, apiKey, schema, observe}. */
    async open(config) {
      await client.open(config, hooks);
    },

    /** Starts it; resolves with ms from start() to syncQueriesReady and to ready. */
    async start(timeoutMs = 300_000) {
      const since = events.length;
      const t0 = stamp();
      await client.start();
      const ready = await waitEvent((e) => e.event === 'ready', since, timeoutMs, 'sync ready event');
      const sq = events.slice(since).find((e) => e.event === 'syncQueriesReady');
      return { ms: ready.at - t0, syncQueriesReady: sq ? sq.at - t0 : null };
    },

    /** Resolves once the client's subscriptions are acknowledged by the server. */
    subscribed: () => client.subscribed((match, what) => waitEvent(match, 0, 60_000, what), events),

    /** Resolves with the stamp of the observe INSERT of the Post titled title. */
    expect(title, timeoutMs = 30_000) {
      if (arrivals.has(title)) return arrivals.get(title);
      return new Promise((resolve, reject) => {
        arrivalWaiters.set(title, resolve);
        setTimeout(() => {
          if (arrivalWaiters.get(title) !== resolve) return;
          arrivalWaiters.delete(title);
          reject(new Error(`the Post "${title}" did not reach observe within ${timeoutMs} ms`));
        }, timeoutMs);
      });
    },

    /** Saves one Post; resolves with the stamp taken just before DataStore.save. */
    async save(title) {
      const t0 = stamp();
      await client.save(title);
      return t0;
    },

    /** n Posts saved one after another (titles prefix0 … prefix{n-1}); resolves with the ms taken. */
    async saveMany(prefix, n) {
      const t0 = stamp();
      for (let i = 0; i < n; i++) await client.save(`${prefix}${i}`);
      return stamp() - t0;
    },

    /** Index of the next event (for drained). */
    mark: () => events.length,

    /**
     * After going online: resolves with { ms } from the page's last online
     * event to the first outboxStatus {isEmpty: true} at or past event
     * index since.
     */
    async drained(since, timeoutMs = 300_000) {
      const e = await waitEvent((x) => x.event === 'outboxStatus' && x.data && x.data.isEmpty === true, since, timeoutMs, 'outboxStatus {isEmpty: true}');
      return { ms: e.at - online, online };
    },

    /** How many Posts and Comments the local store holds. */
    count: () => client.count(),

    /** The events seen (names), for a failure message. */
    events: () => events.map((e) => e.event),

    stop: () => client.stop(),

    /** Deletes the local database (after a run: the browser profile stays small). */
    clear: () => client.clear(),
  };
}
