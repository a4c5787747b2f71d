// Types of datastore-wasm: the Amplify DataStore API over a schema given at
// run time. Untyped, initSchema's classes accept anything. Typed: run
// `npx datastore-wasm types schema.graphql > models.ts` and import the
// classes from models.ts; then constructors, copyOf drafts, predicates,
// sorts and results are checked against the schema (README, TypeScript).

export type OpType = 'INSERT' | 'UPDATE' | 'DELETE';
export declare const OpType: { readonly INSERT: 'INSERT'; readonly UPDATE: 'UPDATE'; readonly DELETE: 'DELETE' };

export type SortDirection = 'ASCENDING' | 'DESCENDING';
export declare const SortDirection: { readonly ASCENDING: 'ASCENDING'; readonly DESCENDING: 'DESCENDING' };

/** An AWSJSON value: an object or an array (a string given to a constructor is parsed). */
export type AWSJSON = { readonly [key: string]: unknown } | readonly unknown[];

/** A frozen model instance: its fields, foreign keys and relation getters. */
export interface PersistentModel {
  readonly [field: string]: any;
}

/** Related records of a has-many field; read afresh on every call. */
export declare class AsyncCollection<T> implements AsyncIterable<T> {
  private constructor();
  toArray(options?: { max?: number }): Promise<T[]>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

/** The related record of a belongs-to or has-one field, read on demand. */
export type AsyncItem<T> = Promise<T>;

/**
 * A model class: new Model(init), Model.copyOf(source, draft => {...}).
 * Generated models give Init (what the constructor takes) and Draft (what
 * copyOf may change); untyped ones take anything.
 */
export interface ModelConstructor<T, Init = any, Draft = any> {
  new (init: Init): T;
  readonly name: string;
  /** A new frozen instance with the mutator's changes, validated. */
  copyOf(source: T, mutator: (draft: Draft) => void): T;
}

/** Any model class, for the DataStore API (what T its instances are). */
export interface PersistentModelConstructor<T = any> {
  new (init: never): T;
  readonly name: string;
}

/** A non-model class: new Location({...}) checks and freezes the value. */
export interface NonModelConstructor<T> {
  new (init: T): T;
  readonly name: string;
}

/** A terminated condition, as a predicate function must return. */
export interface Condition {
  readonly __condition?: never;
}

/** Operators of a string field (ID, String, AWS string scalars, enums). */
export interface StringOperators<V> {
  eq(value: V | null): Condition;
  ne(value: V | null): Condition;
  gt(value: V): Condition;
  ge(value: V): Condition;
  lt(value: V): Condition;
  le(value: V): Condition;
  between(lower: V, upper: V): Condition;
  beginsWith(prefix: string): Condition;
  contains(value: string): Condition;
  notContains(value: string): Condition;
  in(values: readonly V[]): Condition;
  notIn(values: readonly V[]): Condition;
}

/** Operators of a number field (Int, Float, AWSTimestamp). */
export interface NumberOperators<V> {
  eq(value: V | null): Condition;
  ne(value: V | null): Condition;
  gt(value: V): Condition;
  ge(value: V): Condition;
  lt(value: V): Condition;
  le(value: V): Condition;
  between(lower: V, upper: V): Condition;
  in(values: readonly V[]): Condition;
  notIn(values: readonly V[]): Condition;
}

/** Operators of a Boolean field. */
export interface BooleanOperators {
  eq(value: boolean | null): Condition;
  ne(value: boolean | null): Condition;
}

/** Operators of a list of scalars: whether it holds a value. */
export interface ListOperators<E> {
  contains(value: E): Condition;
  notContains(value: E): Condition;
}

/** Every operator, for untyped models. */
export interface FieldOperators<V = any> extends StringOperators<V> {}

/** any, or unknown (a class whose instances are not typed): no checks. */
type IsAny<T> = 0 extends 1 & T ? true : unknown extends T ? true : false;

/** The operators that fit a field's type; relations lead to the related model's fields. */
export type FieldPredicate<V> =
  IsAny<V> extends true ? FieldOperators
    : [V] extends [AsyncCollection<infer U>] ? ModelPredicate<U>
    : [V] extends [PromiseLike<infer U>] ? ModelPredicate<NonNullable<U>>
    : [V] extends [string] ? StringOperators<V>
    : [V] extends [number] ? NumberOperators<V>
    : [V] extends [boolean] ? BooleanOperators
    : [V] extends [readonly (infer E)[]] ? (E extends string | number | boolean | null ? ListOperators<NonNullable<E>> : never)
    : never;

/** The and / or / not groups of a predicate. */
export interface PredicateGroups<T> {
  and(fn: (p: ModelPredicate<T>) => Condition[]): Condition;
  or(fn: (p: ModelPredicate<T>) => Condition[]): Condition;
  not(fn: (p: ModelPredicate<T>) => Condition): Condition;
}

/** What a predicate function receives: c => c.title.eq('x'). */
export type ModelPredicate<T> = IsAny<T> extends true
  ? { readonly [field: string]: any } & PredicateGroups<any>
  : { readonly [K in keyof T]-?: FieldPredicate<NonNullable<T[K]>> } & PredicateGroups<T>;

/** A predicate: a condition on the model's fields, or p => p for every record. */
export type Predicate<T = any> = (p: ModelPredicate<T>) => Condition | ModelPredicate<T>;

declare const ALL_BRAND: unique symbol;
/** Predicates.ALL selects every record. */
export interface AllPredicate {
  readonly [ALL_BRAND]: true;
}
export declare const Predicates: { readonly ALL: AllPredicate };

/** The fields a query can sort by (scalars and enums: not lists, objects or relations). */
type SortableKeys<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string | number | boolean ? K : never }[keyof T];

export type SortBuilder<T = any> = IsAny<T> extends true
  ? { readonly [field: string]: (direction?: SortDirection) => SortBuilder<any> }
  : { readonly [K in SortableKeys<T>]-?: (direction?: SortDirection) => SortBuilder<T> };

/** The relations of a model, to load eagerly: p => [p.comments, p.author, p.tags.tag]. */
export type IncludeBuilder<T = any> = IsAny<T> extends true
  ? { readonly [relation: string]: IncludeBuilder<any> }
  : {
      readonly [K in keyof T as NonNullable<T[K]> extends AsyncCollection<any> | PromiseLike<any> ? K : never]-?:
        NonNullable<T[K]> extends AsyncCollection<infer U> ? IncludeBuilder<U>
          : NonNullable<T[K]> extends PromiseLike<infer U> ? IncludeBuilder<NonNullable<U>> : never;
    };

export interface QueryOptions<T = any> {
  sort?: (s: SortBuilder<T>) => SortBuilder<T>;
  /**
   * Relation paths to load in the same read transaction as the records;
   * their getters then resolve without touching storage (a snapshot of
   * that transaction).
   */
  include?: (p: IncludeBuilder<T>) => IncludeBuilder<any>[] | IncludeBuilder<any>;
  /** Page size; 0 means no limit. */
  limit?: number;
  /** Zero-based page of size limit. */
  page?: number;
}

export interface ObserveQueryOptions<T = any> extends QueryOptions<T> {
  /** Milliseconds after the first change of a batch before a snapshot (default 2000, as Amplify). */
  interval?: number;
  /** Changes that end a batch early (default 1000). */
  batchSize?: number;
}

/** A key: the id, or an object of the key fields (composite keys). */
export type ModelKey<T = any> = string | (IsAny<T> extends true ? Record<string, unknown> : Partial<T>);

export interface SubscriptionMessage<T = any> {
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

/** One recorded mutation. */
export interface OutboxEntry {
  order: number;
  model: string;
  opType: OpType;
  element: Record<string, unknown>;
  time: number;
  /** An UPDATE's changed fields (its mutation sends those, the key and _version). */
  changed?: string[];
  /** A conditional save's or delete's condition (a predicate tree: group, children, field, op, value). */
  condition?: Record<string, unknown>;
}

/** How a query reads storage. */
export interface QueryPlan {
  store: string;
  index?: string;
  access: 'key' | 'range' | 'keys' | 'scan';
  [detail: string]: unknown;
}

/** A field as the engine read it (implied foreign keys and managed timestamps included). */
export interface FieldDescription {
  readonly name: string;
  readonly kind: 'scalar' | 'enum' | 'nonModel' | 'model';
  /** The scalar name (ID, String, AWSDateTime, ...) or the enum, non-model or model type. */
  readonly type: string;
  readonly isArray: boolean;
  /** The value (for a list: each element) is non-null. */
  readonly isRequired: boolean;
  /** The list itself is non-null. */
  readonly isListRequired: boolean;
  /** Managed by the DataStore (createdAt, updatedAt). */
  readonly readOnly: boolean;
}

/** A relation: the records of target whose remoteFields equal this record's localFields. */
export interface RelationDescription {
  readonly field: string;
  readonly kind: 'HAS_MANY' | 'HAS_ONE' | 'BELONGS_TO';
  readonly target: string;
  readonly localFields: readonly string[];
  readonly remoteFields: readonly string[];
  /** What deleting a record does along it; null on a belongs-to (the parent's policy decides). */
  readonly onDelete: DeletePolicy | null;
  /** The join fields are on this model, not its primary key: a setNull along it clears nothing. */
  readonly holdsKey: boolean;
}

export interface IndexDescription {
  readonly name: string;
  readonly fields: readonly string[];
}

export interface ModelDescription {
  readonly name: string;
  readonly pluralName: string;
  readonly syncable: boolean;
  readonly primaryKey: readonly string[];
  readonly fields: readonly FieldDescription[];
  /** The secondary indexes of the model's store. */
  readonly indexes: readonly IndexDescription[];
  readonly relations: readonly RelationDescription[];
}

/** DataStore.schema: the schema as the engine read it, frozen. */
export interface SchemaDescription {
  readonly models: Readonly<Record<string, ModelDescription>>;
  readonly enums: Readonly<Record<string, readonly string[]>>;
  readonly nonModels: Readonly<Record<string, { readonly name: string; readonly fields: readonly FieldDescription[] }>>;
}

/** One record in a delete's plan. */
export interface DeletePlanEntry<T = any> {
  readonly model: string;
  /** The record as it is stored now. */
  readonly element: T;
  /** The relation that reaches it ('Post.comments'); null for a root. */
  readonly via: string | null;
}

/** What DataStore.delete would do (DataStore.planDelete); nothing is written. */
export interface DeletePlan<T = any> {
  /** The records the delete selects. */
  readonly roots: readonly T[];
  /** Every record it would remove, descendants first, the roots last. */
  readonly removed: readonly DeletePlanEntry[];
  /** The records whose key fields it would set to null. */
  readonly updated: readonly (DeletePlanEntry & { readonly fields: readonly string[] })[];
  /** The records an onDelete: 'restrict' relation finds: with any, the delete fails and changes nothing. */
  readonly blocked: readonly DeletePlanEntry[];
  /** No record blocks the delete. */
  readonly ok: boolean;
}

/** Records saves and deletes for DataStore.batch. */
export interface BatchBuilder {
  save<T>(model: T, condition?: Predicate<T>): BatchBuilder;
  delete<T>(model: T, condition?: Predicate<T>): BatchBuilder;
  delete<T>(model: PersistentModelConstructor<T>, criteria: ModelKey<T> | Predicate<T> | AllPredicate): BatchBuilder;
}

/** A lifecycle or storage event (README, Many tabs). */
export interface DataStoreEvent {
  type: 'ready' | 'schemaUpgraded' | 'blocked' | 'closedByOtherTab' | 'schemaChangedElsewhere' | 'storageError' | 'stopped' | 'cleared' | 'closed'
    | 'networkStatus' | 'subscriptionsEstablished' | 'syncQueriesStarted' | 'modelSynced' | 'syncQueriesReady'
    | 'outboxMutationEnqueued' | 'outboxMutationProcessed' | 'outboxStatus' | 'nonApplicableDataReceived';
  /** 'sync' for the sync engine's Hub events, which also carry event (= type) and data (Amplify's payload). */
  source?: 'sync';
  databaseName: string;
  [detail: string]: unknown;
}

export interface DataStoreAPI {
  save<T = any>(model: T, condition?: Predicate<T>): Promise<T>;
  /** Saves several instances all or nothing, in one transaction. */
  save<T = any>(models: T[], condition?: Predicate<T>): Promise<T[]>;
  query<T = any>(model: PersistentModelConstructor<T>, criteria?: Predicate<T> | AllPredicate | null, options?: QueryOptions<T>): Promise<T[]>;
  query<T = any>(model: PersistentModelConstructor<T>, id: ModelKey<T>, options?: Pick<QueryOptions<T>, 'include'>): Promise<T | undefined>;
  delete<T = any>(model: PersistentModelConstructor<T>, criteria: Predicate<T> | AllPredicate | ModelKey<T>): Promise<T[]>;
  delete<T = any>(model: T, condition?: Predicate<T>): Promise<T>;
  /** What delete would do, worked out by the same engine code, writing nothing. */
  planDelete<T = any>(model: PersistentModelConstructor<T>, criteria: Predicate<T> | AllPredicate | ModelKey<T>): Promise<DeletePlan<T>>;
  planDelete<T = any>(model: T, condition?: Predicate<T>): Promise<DeletePlan<T>>;
  /** The schema as the engine read it; null before initSchema. */
  readonly schema: SchemaDescription | null;
  observe(): Observable<SubscriptionMessage<any>>;
  observe<T = any>(model: PersistentModelConstructor<T>, criteria?: string | Predicate<T> | AllPredicate): Observable<SubscriptionMessage<T>>;
  observe<T = any>(model: T): Observable<SubscriptionMessage<T>>;
  observeQuery<T = any>(model: PersistentModelConstructor<T>, criteria?: Predicate<T> | AllPredicate | null, options?: ObserveQueryOptions<T>): Observable<{ items: T[]; isSynced: boolean }>;
  /** Says how a query would read storage: which index, or a scan. */
  explain<T = any>(model: PersistentModelConstructor<T>, criteria?: Predicate<T> | AllPredicate | null, options?: QueryOptions<T>): Promise<QueryPlan>;
  /** Saves and deletes all or nothing, in one transaction; the callback only records them. */
  batch(fn: (b: BatchBuilder) => void): Promise<unknown[]>;
  /** The mutation queue, for a sync engine. */
  readonly outbox: {
    read(options?: { limit?: number }): Promise<OutboxEntry[]>;
    drain(options?: { limit?: number }): Promise<OutboxEntry[]>;
  };
  /** Lifecycle and storage events; see README. */
  readonly events: Observable<DataStoreEvent>;
  start(): Promise<void>;
  stop(): Promise<void>;
  clear(): Promise<void>;
  configure(config?: { outbox?: boolean; API?: { GraphQL?: { endpoint?: string; apiKey?: string; defaultAuthMode?: string } } } & Partial<Omit<SyncConfig, 'endpoint'>> & { [option: string]: unknown }): void;
}

/** The default DataStore; initSchema gives it its schema. */
export declare const DataStore: DataStoreAPI;
export declare const DEFAULT_DATABASE_NAME: string;

/** Model classes, non-model classes and enums of a schema, by name (untyped). */
export type Models = Record<string, any>;

export type DeletePolicy = 'cascade' | 'setNull' | 'restrict';

/** Rewrites a record written under an older schema into one of this schema (synchronous). */
export type Migration = (record: Record<string, any>) => Record<string, any>;

export interface SchemaOptions {
  /** Delete policies by relation: { 'Post.comments': 'restrict' }. */
  onDelete?: Record<string, DeletePolicy>;
  /** Migrations by model, run when the database opens with this schema. */
  migrations?: Record<string, Migration>;
}

/**
 * Reads GraphQL SDL or codegen's models/schema.js object and returns its
 * classes and enums; synchronous. Typed with the Schema of a generated
 * models.ts: initSchema<Schema>(schema).
 */
export declare function initSchema<S extends object = Models>(schema: string | object, options?: SchemaOptions): S;

export interface CreateDataStoreOptions extends SchemaOptions {
  schema: string | object;
  /** The IndexedDB database (default DEFAULT_DATABASE_NAME). */
  databaseName?: string;
  /** Record every mutation for a sync engine (DataStore.outbox). */
  outbox?: boolean;
  /** Sync with an AppSync-protocol server (datastore-server): see README, Syncing with a server. */
  sync?: SyncConfig;
}

/** What createDataStore({ sync }) and DataStore.configure take for sync. */
export interface SyncConfig {
  /** The GraphQL URL, as https://host/graphql; the real-time URL is derived from it. */
  endpoint: string;
  /** Sent as x-api-key. */
  apiKey?: string;
  /**
   * Asked before each request and each real-time connection: a token (sent
   * as Authorization, as AppSync's Cognito and OIDC modes take it) or an
   * object of headers to send.
   */
  auth?: () => string | Record<string, string> | Promise<string | Record<string, string>>;
  syncPageSize?: number;
  maxRecordsToSync?: number;
  /** Minutes between full syncs (default a day). */
  fullSyncInterval?: number;
  syncExpressions?: SyncExpression[];
  /** Receives what the server refused and records that failed validation (Amplify's SyncError). */
  errorHandler?: (error: SyncError) => void;
  /**
   * Decides a conflict (the server answered ConflictUnhandled, under
   * OPTIMISTIC_CONCURRENCY): return the record to send (it goes with the
   * server's _version), DISCARD (the server's copy is kept), or nothing for
   * the default (the local change is sent again with the server's _version).
   * At most 10 attempts per mutation; then DISCARD.
   */
  conflictHandler?: (conflict: SyncConflict) => object | typeof DISCARD | void | Promise<object | typeof DISCARD | void>;
  /** false: no subscriptions (sync queries and the outbox only). */
  realtime?: boolean;
}

/** What an errorHandler receives (Amplify's SyncError). */
export interface SyncError<T = any> {
  message: string;
  /** 'ConditionalCheck', 'Unauthorized', 'BadRecord', 'ConflictUnhandled', ... or 'Unknown'. */
  errorType: string;
  errorInfo: unknown;
  /** 'mutate', 'sync' or 'subscribe'. */
  process: 'mutate' | 'sync' | 'subscribe';
  /** For 'mutate': the outbox operation. */
  operation?: 'Create' | 'Update' | 'Delete';
  /** The model's name. */
  model?: string;
  /** The mutation's data as sent, a plain object (an update: its changed fields, key and _version). */
  localModel: Partial<T> | null;
  /** The server's record (an instance), when its answer had one. */
  remoteModel: T | null;
  /** An Error with the server's message, errorType and errorInfo. */
  cause?: Error;
}

/** What a conflictHandler receives (Amplify's SyncConflict). */
export interface SyncConflict<T = any> {
  modelConstructor: PersistentModelConstructor<T>;
  /** The mutation's data as sent (an update: its changed fields, key and _version). */
  localModel: T;
  /** The server's current copy. */
  remoteModel: T;
  operation: 'INSERT' | 'UPDATE' | 'DELETE';
  /** 1 for the first conflict of this mutation. */
  attempts: number;
}

/** Returned by a conflictHandler: drop the local change and keep the server's copy. */
export declare const DISCARD: unique symbol;

export interface SyncExpression { modelConstructor: unknown; conditionProducer: unknown }
/** Amplify's syncExpression(Model, () => predicate), for configure({ syncExpressions }). */
export declare function syncExpression<T = any>(modelConstructor: PersistentModelConstructor<T>, conditionProducer: () => Predicate<T> | AllPredicate): SyncExpression;

/** An independent DataStore over its own schema and database. */
export declare function createDataStore<S extends object = Models>(options: CreateDataStoreOptions & { wasmURL?: undefined }): { DataStore: DataStoreAPI; models: S };
/**
 * The same, loading the engine from wasmURL first (where a bundler does not
 * put datastore.wasm beside the module): resolves when it can be used.
 */
export declare function createDataStore<S extends object = Models>(options: CreateDataStoreOptions & { wasmURL: string | URL }): Promise<{ DataStore: DataStoreAPI; models: S }>;

/** Loads the engine from wasmURL unless it is loaded already (then initSchema works). */
export declare function loadEngine(wasmURL: string | URL): Promise<void>;
