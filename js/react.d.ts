// Types of datastore-wasm/react: hooks over a DataStore.
import type { AllPredicate, DataStoreAPI, ModelKey, PersistentModelConstructor, Predicate, QueryOptions, SubscriptionMessage } from './index.js';

export interface HookOptions<T = any> extends QueryOptions<T> {
  /** The DataStore to read (default: the one initSchema set up). */
  dataStore?: DataStoreAPI;
  /** What the predicate and sort functions use: a new read starts when one changes. */
  deps?: readonly unknown[];
}

export interface QueryState<D> {
  /** The result; undefined until the first read ends. */
  data: D | undefined;
  /** True while a read is under way for new inputs (not for live updates). */
  loading: boolean;
  /** The last read's error, if it failed; data keeps the last good result. */
  error: unknown;
  /** Reads again now. */
  refetch(): Promise<void>;
}

/** Queries once, and again when the inputs change. */
export declare function useQuery<T = any>(model: PersistentModelConstructor<T>, criteria?: Predicate<T> | AllPredicate | null, options?: HookOptions<T>): QueryState<T[]>;
export declare function useQuery<T = any>(model: PersistentModelConstructor<T>, id: ModelKey<T>, options?: HookOptions<T>): QueryState<T | undefined>;

/** Like useQuery, and reads again after every change to the database, from any tab. */
export declare function useLiveQuery<T = any>(model: PersistentModelConstructor<T>, criteria?: Predicate<T> | AllPredicate | null, options?: HookOptions<T>): QueryState<T[]>;
export declare function useLiveQuery<T = any>(model: PersistentModelConstructor<T>, id: ModelKey<T>, options?: HookOptions<T>): QueryState<T | undefined>;

/** Calls onMessage for each change of the model (or of every model, with null). */
export declare function useObserve<T = any>(model: PersistentModelConstructor<T> | null, onMessage: (message: SubscriptionMessage<T>) => void, options?: { dataStore?: DataStoreAPI; deps?: readonly unknown[] }): void;
