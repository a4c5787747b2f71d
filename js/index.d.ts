// Types of datastore-wasm: the Amplify DataStore API over a schema given at
// run time. Model classes come from initSchema, so their fields are typed
// loosely; declare your own interfaces over them for stricter typing.

export type OpType = 'INSERT' | 'UPDATE' | 'DELETE';
export declare const OpType: { readonly INSERT: 'INSERT'; readonly UPDATE: 'UPDATE'; readonly DELETE: 'DELETE' };

export type SortDirection = 'ASCENDING' | 'DESCENDING';
export declare const SortDirection: { readonly ASCENDING: 'ASCENDING'; readonly DESCENDING: 'DESCENDING' };

/** A frozen model instance: its fields, foreign keys and relation getters. */
export interface PersistentModel {
  readonly [field: string]: any;
}

/** A model class made by initSchema. */
export interface PersistentModelConstructor<T extends PersistentModel = PersistentModel> {
  new (init: Partial<T> & Record<string, unknown>): T;
  readonly name: string;
  /** A new frozen instance with the mutator's changes, validated. */
  copyOf(source: T, mutator: (draft: { -readonly [K in keyof T]: T[K] }) => void): T;
}

/** Operators of one field in a predicate. */
export interface FieldOperators<V = any> {
  eq(value: V | null): Condition;
  ne(value: V | null): Condition;
  gt(value: V): Condition;
  ge(value: V): Condition;
  lt(value: V): Condition;
  le(value: V): Condition;
  between(lower: V, upper: V): Condition;
  beginsWith(prefix: string): Condition;
  contains(value: any): Condition;
  notContains(value: any): Condition;
  in(values: V[]): Condition;
  notIn(values: V[]): Condition;
}

/** A terminated condition, as a predicate function must return. */
export interface Condition {
  readonly __condition?: never;
}

export type PredicateBuilder = {
  [field: string]: FieldOperators;
} & {
  and(fn: (p: PredicateBuilder) => Condition[]): Condition;
  or(fn: (p: PredicateBuilder) => Condition[]): Condition;
  not(fn: (p: PredicateBuilder) => Condition): Condition;
};

export type Predicate = (p: PredicateBuilder) => Condition | PredicateBuilder;

export declare const Predicates: { readonly ALL: unique symbol | object };

export type SortBuilder = { [field: string]: (direction?: SortDirection) => SortBuilder };

/** A relation path to load eagerly: p => [p.comments, p.author, p.tags.tag]. */
export type IncludeBuilder = { [relation: string]: IncludeBuilder };

export interface QueryOptions {
  sort?: (s: SortBuilder) => SortBuilder;
  /**
   * Relation paths to load in the same read transaction as the records;
   * their getters then resolve without touching storage (a snapshot of
   * that transaction).
   */
  include?: (p: IncludeBuilder) => IncludeBuilder[] | IncludeBuilder;
  /** Page size; 0 means no limit. */
  limit?: number;
  /** Zero-based page of size limit. */
  page?: number;
}

export interface SubscriptionMessage<T extends PersistentModel = PersistentModel> {
  model: PersistentModelConstructor<T>;
  opType: OpType;
  element: T;
  condition: object | null;
}

export interface Subscription {
  unsubscribe(): void;
  readonly closed: boolean;
}

export interface Observer<T> {
  next?(value: T): void;
  error?(err: any): void;
  complete?(): void;
}

export interface Observable<T> {
  subscribe(observer: Observer<T>): Subscription;
  subscribe(next: (value: T) => void, error?: (err: any) => void, complete?: () => void): Subscription;
}

/** Related records of a has-many field; read afresh on every call. */
export declare class AsyncCollection<T> implements AsyncIterable<T> {
  toArray(options?: { max?: number }): Promise<T[]>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

/** One recorded mutation. */
export interface OutboxEntry {
  order: number;
  model: string;
  opType: OpType;
  element: Record<string, unknown>;
  time: number;
}

/** How a query reads storage. */
export interface QueryPlan {
  store: string;
  index?: string;
  access: 'key' | 'range' | 'scan';
}

export interface DataStoreAPI {
  save<T extends PersistentModel>(model: T, condition?: Predicate): Promise<T>;
  query<T extends PersistentModel>(model: PersistentModelConstructor<T>, id: string | Record<string, unknown>, options?: Pick<QueryOptions, 'include'>): Promise<T | undefined>;
  query<T extends PersistentModel>(model: PersistentModelConstructor<T>, criteria?: Predicate | typeof Predicates.ALL | null, options?: QueryOptions): Promise<T[]>;
  delete<T extends PersistentModel>(model: T, condition?: Predicate): Promise<T>;
  delete<T extends PersistentModel>(model: PersistentModelConstructor<T>, criteria: string | Record<string, unknown> | Predicate | typeof Predicates.ALL): Promise<T[]>;
  observe(): Observable<SubscriptionMessage>;
  observe<T extends PersistentModel>(model: PersistentModelConstructor<T> | T, criteria?: string | Predicate): Observable<SubscriptionMessage<T>>;
  observeQuery<T extends PersistentModel>(model: PersistentModelConstructor<T>, criteria?: Predicate | typeof Predicates.ALL, options?: QueryOptions): Observable<{ items: T[]; isSynced: boolean }>;
  explain<T extends PersistentModel>(model: PersistentModelConstructor<T>, criteria?: Predicate, options?: QueryOptions): Promise<QueryPlan>;
  /** Saves and deletes all or nothing, in one transaction; the callback only records them. */
  batch(fn: (b: { save(model: PersistentModel, condition?: Predicate): unknown; delete(model: PersistentModel | PersistentModelConstructor, criteria?: unknown): unknown }) => void): Promise<unknown[]>;
  /** Saves several instances all or nothing, in one transaction. */
  save<T extends PersistentModel>(models: T[], condition?: Predicate): Promise<T[]>;
  /** The mutation queue, for a sync engine. */
  readonly outbox: {
    read(options?: { limit?: number }): Promise<OutboxEntry[]>;
    drain(options?: { limit?: number }): Promise<OutboxEntry[]>;
  };
  /** Lifecycle and storage events; see README. */
  readonly events: Observable<{ type: string; databaseName: string; [detail: string]: unknown }>;
  start(): Promise<void>;
  stop(): Promise<void>;
  clear(): Promise<void>;
  configure(config?: unknown): void;
}

/** The default DataStore; initSchema gives it its schema. */
export declare const DataStore: DataStoreAPI;
export declare const DEFAULT_DATABASE_NAME: string;

/** Model classes, non-model classes and enums of a schema, by name. */
export type Models = Record<string, any>;

export type DeletePolicy = 'cascade' | 'setNull' | 'restrict';

/** Reads GraphQL SDL or codegen's models/schema.js object; synchronous. */
/** Rewrites a record written under an older schema into one of this schema (synchronous). */
export type Migration = (record: Record<string, any>) => Record<string, any>;

export declare function initSchema(schema: string | object, options?: { onDelete?: Record<string, DeletePolicy>; migrations?: Record<string, Migration> }): Models;

/** An independent DataStore over its own schema and database. */
export declare function createDataStore(options: { schema: string | object; databaseName?: string; onDelete?: Record<string, DeletePolicy>; outbox?: boolean; migrations?: Record<string, Migration> }): { DataStore: DataStoreAPI; models: Models };
