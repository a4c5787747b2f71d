// React hooks over a DataStore: datastore-wasm/react.
//
//   const { data, loading, error } = useLiveQuery(Post, (p) => p.rating.gt(3), { deps: [min] });
//
// useQuery reads once (again when its inputs change); useLiveQuery also
// reads again after every change to the database, from this tab or any
// other on the same database, as soon as it is written: no observeQuery
// batching window. Predicate and sort functions are new on every render,
// so they do not count as inputs: list what they use in options.deps.
import { useCallback, useEffect, useRef, useState } from 'react';
import { DataStore as defaultDataStore } from './index.js';

const OPTION_KEYS = ['limit', 'page'];

// The inputs that start a new read: the model, a key (not a predicate
// function), limit, page and the caller's deps.
function inputsOf(model, criteria, options) {
  const key = typeof criteria === 'function' ? null : criteria;
  return [model, options.dataStore, typeof key === 'object' && key !== null ? JSON.stringify(key) : key,
    ...OPTION_KEYS.map((k) => options[k]), ...(options.deps || [])];
}

function queryOptions(options) {
  const { dataStore, deps, ...rest } = options;
  return rest;
}

// useRead holds {data, loading, error} for a read that reruns when inputs
// change or when refresh is called; reads that overlap collapse into one
// more read after the current one, and an old read never overwrites a
// newer one.
function useRead(model, criteria, options, live) {
  const [state, setState] = useState({ data: undefined, loading: true, error: undefined });
  const latest = useRef({ criteria, options });
  latest.current = { criteria, options };
  const run = useRef(null);
  const inputs = inputsOf(model, criteria, options);

  useEffect(() => {
    const ds = options.dataStore || defaultDataStore;
    let active = true;
    let running = false;
    let again = false;
    const read = async () => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      do {
        again = false;
        const { criteria: c, options: o } = latest.current;
        try {
          const data = await ds.query(model, c, queryOptions(o));
          if (active && !again) setState({ data, loading: false, error: undefined });
        } catch (error) {
          if (active && !again) setState((s) => ({ data: s.data, loading: false, error }));
        }
      } while (again && active);
      running = false;
    };
    run.current = read;
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    let subscription = null;
    if (live) {
      try {
        subscription = ds.observe().subscribe({
          next: () => { if (active) read(); },
          error: (error) => { if (active) setState((s) => ({ data: s.data, loading: false, error })); },
        });
      } catch (error) {
        setState({ data: undefined, loading: false, error });
      }
    }
    read();
    return () => {
      active = false;
      if (subscription) subscription.unsubscribe();
    };
  }, inputs); // eslint-disable-line react-hooks/exhaustive-deps

  const refetch = useCallback(() => (run.current ? run.current() : Promise.resolve()), []);
  return { ...state, refetch };
}

/**
 * Queries once, and again when the model, key, limit, page or
 * options.deps change: { data, loading, error, refetch }. data is the
 * result of DataStore.query (an array, or one record for a key).
 */
export function useQuery(model, criteria, options = {}) {
  return useRead(model, criteria, options, false);
}

/**
 * Like useQuery, and reads again after every change to the database (any
 * model, any tab), so data stays current: { data, loading, error, refetch }.
 */
export function useLiveQuery(model, criteria, options = {}) {
  return useRead(model, criteria, options, true);
}

/**
 * Calls onMessage for each change observe() reports (of a model, or of
 * every model with model null); the subscription follows the component.
 */
export function useObserve(model, onMessage, options = {}) {
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    const ds = options.dataStore || defaultDataStore;
    const source = model ? ds.observe(model) : ds.observe();
    const subscription = source.subscribe((msg) => handler.current(msg));
    return () => subscription.unsubscribe();
  }, [model, options.dataStore, ...(options.deps || [])]); // eslint-disable-line react-hooks/exhaustive-deps
}
