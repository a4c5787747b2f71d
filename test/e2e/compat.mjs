// Scenarios of issue 10: the Amplify behaviours SPEC.md measures, the
// product documentation's snippets as written, and bad input that must get
// a clear error and leave the instance serving. flow.mjs runs them with the
// others, in Node and in Chromium, passing its assertion kit:
//   run(lib, { withStore, uniqueName, ok, equal, deepEqual, throws, rejects, collect, show })

const SDL = `
enum Kind { A B }
type Address { street: String! city: String }
type Post @model {
  id: ID!
  title: String!
  rating: Int
  note: String
  data: AWSJSON
  scores: [Int!]
  address: Address
  comments: [Comment] @hasMany
  author: Author @hasOne
}
type Author @model { id: ID! name: String }
type Comment @model { id: ID! content: String post: Post @belongsTo }`;

// A tree whose fields carry the predicate builder's own names.
const TREE_SDL = `
type Node @model {
  id: ID!
  group: String
  then: String
  and: String
  or: Int
  not: Boolean
  parent: Node @belongsTo
  children: [Node] @hasMany
}`;

// A has-one whose key is on the target (introspection: no targetNames), so
// that two targets can claim one source.
const HAS_ONE_ON_TARGET = {
  version: 'has-one-on-target',
  codegenVersion: '3.4.4',
  enums: {},
  nonModels: {},
  models: {
    User: {
      name: 'User',
      pluralName: 'Users',
      syncable: true,
      attributes: [{ type: 'model', properties: {} }],
      fields: {
        id: { name: 'id', type: 'ID', isRequired: true, isArray: false, attributes: [] },
        profile: { name: 'profile', type: { model: 'Profile' }, isRequired: false, isArray: false, attributes: [], association: { connectionType: 'HAS_ONE', associatedWith: ['userId'] } },
      },
    },
    Profile: {
      name: 'Profile',
      pluralName: 'Profiles',
      syncable: true,
      attributes: [{ type: 'model', properties: {} }, { type: 'key', properties: { name: 'byUser', fields: ['userId'] } }],
      fields: {
        id: { name: 'id', type: 'ID', isRequired: true, isArray: false, attributes: [] },
        userId: { name: 'userId', type: 'ID', isRequired: false, isArray: false, attributes: [] },
      },
    },
  },
};

const PAST = 5000; // deeper than the limits (200 predicate groups, 1000 JSON levels, 100 schema brackets)

async function specItems(lib, t) {
  const { ok, equal, deepEqual, throws, rejects } = t;
  return t.withStore(lib, SDL, 'compat-spec', async (DataStore, { Post, Comment, Address }) => {
    const post = await DataStore.save(new Post({ title: 'p' }));
    const comment = await DataStore.save(new Comment({ content: 'c', post }));
    equal(comment.postCommentsId, post.id, 'the comment points at the post');

    // 1. SPEC 2.5: null or undefined for a belongs-to clears its key.
    equal(Comment.copyOf(comment, (d) => { d.post = null; }).postCommentsId, null, 'copyOf: d.post = null clears postCommentsId');
    equal(Comment.copyOf(comment, (d) => { d.post = undefined; }).postCommentsId, null, 'copyOf: d.post = undefined clears postCommentsId');
    equal(new Comment({ postCommentsId: post.id, post: null }).postCommentsId, null, 'constructor: post: null clears postCommentsId');
    equal(new Comment({ postCommentsId: post.id, post: undefined }).postCommentsId, null, 'constructor: post: undefined clears postCommentsId');
    const cleared = await DataStore.save(Comment.copyOf(comment, (d) => { d.post = null; }));
    equal(cleared.postCommentsId, null, 'the cleared key is stored');
    equal(await cleared.post, undefined, 'the relation is removed');

    // 2. SPEC 4.2: unset fields are null: eq(null) matches them, ne(null) does not.
    const rated = await DataStore.save(new Post({ title: 'rated', rating: 3, note: 'n' }));
    deepEqual((await DataStore.query(Post, (p) => p.rating.eq(null))).map((p) => p.id), [post.id], 'eq(null) matches the unset field');
    deepEqual((await DataStore.query(Post, (p) => p.rating.ne(null))).map((p) => p.id), [rated.id], 'ne(null) does not');
    deepEqual((await DataStore.query(Post, (p) => p.note.eq(undefined))).map((p) => p.id), [post.id], 'eq(undefined) is eq(null)');
    deepEqual((await DataStore.query(Post, (p) => p.rating.lt(5))).map((p) => p.id).sort(), [post.id, rated.id].sort(), 'null < 5, as in JavaScript');

    // 4. SPEC 2.4: null list elements are named null.
    throws(() => new Post({ title: 'x', scores: [1, null] }), 'All elements in the scores array should be of type number, [number,null] received. 1,', 'a null element of [Int!]');

    // 5. SPEC 2.6: non-model values keep only the fields given.
    const a = new Address({ street: 'Main' });
    deepEqual(a, { street: 'Main' }, 'new Address({ street }) has only street');
    const withAddress = await DataStore.save(new Post({ title: 'addr', address: a }));
    deepEqual((await DataStore.query(Post, withAddress.id)).address, { street: 'Main' }, 'stored and read back: { street: "Main" }');

    // 6. SPEC 4.3: unknown fields and operators are TypeErrors, with clear messages.
    await rejects(() => DataStore.query(Post, (p) => p.nope.eq(1)), (e) => {
      ok(e instanceof TypeError, `an unknown field is a TypeError, got ${e.name}`);
      equal(e.message, 'Invalid field for model. field: nope, model: Post', 'unknown field message');
    }, 'unknown field');
    await rejects(() => DataStore.query(Post, (p) => p.title.equals('x')), (e) => {
      ok(e instanceof TypeError, `an unknown operator is a TypeError, got ${e.name}`);
      equal(e.message, 'Invalid predicate. Post.title has no operator equals(); its operators are eq, ne, gt, ge, lt, le, beginsWith, contains, notContains, in, notIn, between', 'unknown operator message');
    }, 'unknown operator');
    await rejects(() => DataStore.query(Post, (p) => p.comments.nope.eq(1)), (e) => ok(e instanceof TypeError && e.message === 'Invalid field for model. field: nope, model: Comment', e.message), 'unknown field through a relation');

    // 15. copyOf drafts: undefined and delete give null; functions and symbols are type errors.
    throws(() => Post.copyOf(post, (d) => { d.title = undefined; }), 'Field title is required', 'a required field set to undefined fails');
    throws(() => Post.copyOf(post, (d) => { delete d.title; }), 'Field title is required', 'a required field deleted from the draft fails');
    equal(Post.copyOf(rated, (d) => { d.note = undefined; }).note, null, 'an optional field set to undefined is null');
    equal(Post.copyOf(rated, (d) => { delete d.note; }).note, null, 'an optional field deleted is null');
    throws(() => Post.copyOf(post, (d) => { d.title = () => 'x'; }), (e) => ok(e instanceof TypeError && /Field title .*function received/.test(e.message), e.message), 'a function value');
    throws(() => Post.copyOf(post, (d) => { d.title = Symbol('s'); }), (e) => ok(e instanceof TypeError && /Field title .*symbol received/.test(e.message), e.message), 'a Symbol value');
  });
}

async function initSchemaEnums(lib, t) {
  // 7. SPEC 1.11: initSchema's result also holds the enums (docs/compat.md).
  const { DataStore, models } = lib.createDataStore({ schema: SDL, databaseName: t.uniqueName('compat-enums') });
  t.deepEqual(models.Kind, { A: 'A', B: 'B' }, 'the enum is in the result');
  t.ok(Object.isFrozen(models.Kind), 'and frozen');
  await DataStore.clear();
}

async function integrity(lib, t) {
  // 3. SPEC 5.1: a has-one lookup that finds two records rejects.
  return t.withStore(lib, HAS_ONE_ON_TARGET, 'compat-integrity', async (DataStore, { User, Profile }) => {
    const user = await DataStore.save(new User({}));
    await DataStore.save(new Profile({ userId: user.id }));
    const one = await DataStore.query(User, user.id);
    t.equal((await one.profile).userId, user.id, 'one profile: the lazy value resolves with it');
    // A lazy value of a has-one whose key is on the target stands for the
    // record holding the join value.
    const seen = t.collect(DataStore.observe(one.profile));
    const other = await DataStore.save(new Profile({ userId: 'someone else' }));
    const deleted = await DataStore.delete(one.profile);
    t.equal(deleted && deleted.userId, user.id, 'delete(user.profile) deletes the profile');
    t.equal((await DataStore.query(Profile)).map((p) => p.id).join(), other.id, 'and only it');
    const [msg] = await seen.until(1);
    t.equal(`${msg.opType} ${msg.element.userId}`, `DELETE ${user.id}`, 'observe(user.profile) sees only it');
    seen.subscription.unsubscribe();
    await DataStore.save(new Profile({ userId: user.id }));
    await DataStore.save(new Profile({ userId: user.id }));
    const again = await DataStore.query(User, user.id);
    await t.rejects(() => again.profile, (e) => {
      t.ok(e.message.includes('Data integrity error.'), e.message);
      t.ok(e.message.includes("Too many records found for a HAS_ONE/BELONGS_TO field 'User.profile'"), e.message);
    }, 'two profiles for one user');
  });
}

async function docSnippets(lib, t) {
  const { ok, equal, deepEqual } = t;
  const sdl = `
type Post @model { id: ID! title: String! author: Author @hasOne tags: [Tag] @manyToMany(relationName: "PostTag") }
type Author @model { id: ID! name: String! }
type Tag @model { id: ID! label: String! posts: [Post] @manyToMany(relationName: "PostTag") }`;
  return t.withStore(lib, sdl, 'compat-docs', async (DataStore, { Post, Author, Tag, PostTag }) => {
    // 8. `await DataStore.delete(post.author)` (the one-to-one page).
    const author = await DataStore.save(new Author({ name: 'A' }));
    const post = await DataStore.save(new Post({ title: 'p', author }));
    const seen = t.collect(DataStore.observe(post.author));
    const deleted = await DataStore.delete(post.author);
    ok(deleted instanceof Author && deleted.id === author.id, `delete(post.author) deletes the author, got ${t.show(deleted)}`);
    equal(await DataStore.query(Author, author.id), undefined, 'the author is gone');
    const [msg] = await seen.until(1);
    equal(`${msg.opType} ${msg.element.id}`, `DELETE ${author.id}`, 'observe(post.author) saw its DELETE');
    seen.subscription.unsubscribe();
    // As a relation value in a constructor: by key.
    const other = await DataStore.save(new Author({ name: 'B' }));
    const p2 = await DataStore.save(new Post({ title: 'p2', author: other }));
    const p3 = new Post({ title: 'p3', author: p2.author });
    equal(p3.postAuthorId, other.id, 'new Post({ author: p2.author }) takes the key');

    // 9. included (and awaited) lazy values carry the record's fields.
    const tag = await DataStore.save(new Tag({ label: 'news' }));
    await DataStore.save(new PostTag({ post: p2, tag }));
    const joins = await DataStore.query(PostTag, undefined, { include: (pt) => [pt.tag, pt.post] });
    const labels = joins.filter((pt) => pt.post.id === p2.id).map((pt) => pt.tag.label);
    deepEqual(labels, ['news'], 'pt.tag.label on included records, synchronously');
    equal(joins[0].post.title, 'p2', 'the included post carries its title');
    const [lazyJoin] = await DataStore.query(PostTag);
    equal(lazyJoin.tag.label, undefined, 'a lazy value not yet read carries only its key');
    equal(lazyJoin.tag.id, tag.id, 'and the key at once');
    await lazyJoin.tag;
    equal(lazyJoin.tag.label, 'news', 'once awaited it carries the fields too');
  });
}

async function deepNesting(lib, t) {
  const { ok, equal, throws, rejects } = t;
  return t.withStore(lib, SDL, 'compat-deep', async (DataStore, { Post }) => {
    const post = await DataStore.save(new Post({ title: 'deep' }));
    const serves = async (what) => equal((await DataStore.query(Post, post.id)).title, 'deep', `the instance still serves after ${what}`);
    const nested = (depth) => (p) => {
      let n = p.title.eq('deep');
      for (let i = 0; i < depth; i++) { const prev = n; n = p.and(() => [prev]); }
      return n;
    };
    const tooDeep = /nest more than 200 levels deep/;
    equal((await DataStore.query(Post, nested(200))).length, 1, 'a predicate nested 200 levels (the limit) works');
    await rejects(() => DataStore.query(Post, nested(PAST)), tooDeep, 'query with a predicate nested past the limit');
    await serves('a deep query');
    await rejects(() => DataStore.explain(Post, nested(PAST)), tooDeep, 'explain');
    await rejects(() => DataStore.save(Post.copyOf(post, (d) => { d.note = 'x'; }), nested(PAST)), tooDeep, 'a save condition');
    throws(() => DataStore.observe(Post, nested(PAST)), tooDeep, 'observe');
    await serves('deep conditions');
    const deepJSON = '['.repeat(PAST * 2) + ']'.repeat(PAST * 2);
    throws(() => new Post({ title: 'x', data: deepJSON }), 'Field data holds JSON nested more than 1000 levels deep; datastore-wasm stores values nested up to 1000 levels', 'an AWSJSON string nested 10,000 levels');
    let value = [];
    for (let i = 0; i < PAST; i++) value = [value];
    throws(() => new Post({ title: 'x', data: value }), 'Field data holds a value nested more than 1000 levels deep; datastore-wasm stores values nested up to 1000 levels (new Post())', 'an AWSJSON value nested 5,000 levels');
    let deepOK = [];
    for (let i = 0; i < 990; i++) deepOK = [deepOK];
    const kept = await DataStore.save(new Post({ title: 'deep value', data: deepOK }));
    let depth = 0;
    for (let x = (await DataStore.query(Post, kept.id)).data; Array.isArray(x) && x.length; x = x[0]) depth += 1;
    equal(depth, 990, 'a value nested 990 levels is stored and read back');
    await serves('deep JSON');
    for (const [what, schema] of [
      ['a list type', `type P @model { id: ID! a: ${'['.repeat(PAST)}Int${']'.repeat(PAST)} }`],
      ['a directive argument', `type P @model @key(fields: ${'['.repeat(PAST)}"id"${']'.repeat(PAST)}) { id: ID! }`],
      ['an object argument', `type P @model(timestamps: ${'{a: '.repeat(PAST)}1${'}'.repeat(PAST)}) { id: ID! }`],
    ]) {
      throws(() => lib.createDataStore({ schema, databaseName: t.uniqueName('deep') }), /line 1, column \d+: brackets nest more than 100 levels deep/, `an SDL with ${what} nested ${PAST} levels`);
    }
    await serves('deep schemas');
    ok(true, 'done');
  });
}

async function hangs(lib, t) {
  const { equal, ok } = t;
  await t.withStore(lib, SDL, 'compat-hang', async (DataStore, { Post }) => {
    const post = await DataStore.save(new Post({ title: 'one' }));
    const first = (criteria) => new Promise((resolve, reject) => {
      const sub = DataStore.observeQuery(Post, criteria).subscribe({
        next: (snapshot) => { sub.unsubscribe(); resolve(snapshot); },
        error: reject,
      });
    });
    const missing = await first('no-such-id');
    ok(Array.isArray(missing.items) && missing.items.length === 0, `observeQuery(Post, unknown id) sends items [], got ${t.show(missing.items)}`);
    const found = await first(post.id);
    ok(Array.isArray(found.items), 'observeQuery(Post, id): items is an array');
    equal(found.items.length === 1 && found.items[0].id, post.id, 'of the one record');
  });
  const migrations = {};
  Object.defineProperty(migrations, 'Post', { enumerable: true, get() { throw new Error('getter broke'); } });
  t.throws(() => lib.createDataStore({ schema: SDL, databaseName: t.uniqueName('compat-mig'), migrations }),
    'migrations.Post: reading it threw: getter broke; give a plain object of functions by model', 'a migrations getter that throws');
  t.throws(() => lib.createDataStore({ schema: SDL, databaseName: t.uniqueName('compat-mig'), migrations: { Post: 5 } }),
    'migrations.Post must be a function (record) => record, got number', 'a migration that is not a function');
  // A migration that throws while a changed primary key re-keys the store:
  // the open rejects with its message, and the database is left as it was.
  const databaseName = t.uniqueName('compat-rekey');
  const v1 = lib.createDataStore({ schema: 'type Post @model { id: ID! title: String! }', databaseName });
  await v1.DataStore.save(new v1.models.Post({ title: 'kept' }));
  await v1.DataStore.stop();
  const v2 = lib.createDataStore({ schema: 'type Post @model { title: String! @primaryKey }', databaseName, migrations: { Post: () => { throw new Error('boom'); } } });
  await t.rejects(() => v2.DataStore.query(v2.models.Post), /the migration of Post failed: boom; the database was left as it was/, 'a re-keying migration that throws');
  const again = lib.createDataStore({ schema: 'type Post @model { id: ID! title: String! }', databaseName });
  equal((await again.DataStore.query(again.models.Post)).map((p) => p.title).join(), 'kept', 'the old schema still reads the record');
  await again.DataStore.clear();
}

async function builderNames(lib, t) {
  // 12. Fields named children, group, then, and, or, not work in predicates.
  const { equal, deepEqual, ok } = t;
  return t.withStore(lib, TREE_SDL, 'compat-tree', async (DataStore, { Node }) => {
    const root = await DataStore.save(new Node({ group: 'g', then: 't', and: 'a', or: 1, not: true }));
    const leaf = await DataStore.save(new Node({ group: 'h', parent: root }));
    const q = (fn) => DataStore.query(Node, fn).then((list) => list.map((n) => n.id));
    deepEqual(await q((n) => n.group.eq('g')), [root.id], 'n.group');
    deepEqual(await q((n) => n.then.eq('t')), [root.id], 'n.then');
    deepEqual(await q((n) => n.and.eq('a')), [root.id], 'n.and as a field');
    deepEqual(await q((n) => n.or.gt(0)), [root.id], 'n.or as a field');
    deepEqual(await q((n) => n.not.eq(true)), [root.id], 'n.not as a field');
    deepEqual(await q((n) => n.children.group.eq('h')), [root.id], 'n.children (a has-many) as a relation path');
    deepEqual(await q((n) => n.parent.group.eq('g')), [leaf.id], 'n.parent.group');
    deepEqual(await q((n) => n.and((m) => [m.group.eq('g'), m.and.eq('a')])), [root.id], 'n.and(...) still groups');
    deepEqual((await q((n) => n.or((m) => [m.group.eq('g'), m.group.eq('h')]))).sort(), [root.id, leaf.id].sort(), 'n.or(...) still groups');
    deepEqual(await q((n) => n.not((m) => m.group.eq('g'))), [leaf.id], 'n.not(...) still negates');
    // The seed is not a thenable, even with a then field: awaiting it gives it back.
    let seed;
    await DataStore.query(Node, (n) => { seed = n; return n.group.eq('g'); });
    ok((await seed) === seed, 'await p gives the seed itself');
    equal(typeof seed.then, 'object', 'p.then is the field, not a function');
  });
}

async function badSchemas(lib, t) {
  // 13 and issue 15 item 5: refused at createDataStore with type, field and line.
  const { throws, ok } = t;
  const bad = (schema, expected, what) => throws(() => lib.createDataStore({ schema, databaseName: t.uniqueName('bad') }), (e) => {
    ok(e.name === 'SchemaError', `${what}: a SchemaError, got ${e.name}: ${e.message}`);
    ok(expected.test(e.message), `${what}: ${e.message} does not match ${expected}`);
  }, what);
  bad('', /declares no model/, 'an empty schema');
  bad('# only comments\n', /declares no model/, 'a schema of comments');
  bad('enum E { A }', /declares no model/, 'a schema of one enum');
  bad('type Post @modle { id: ID! }', /line 1, column 12: Post: unknown directive @modle \(did you mean @model\?\)/, 'a misspelt @model');
  bad('type Post @model { id: ID! c: [Comment] @hasMany }\ntype Comment @model { id: ID! post: Post @belongsto }', /line 2, column 43: Comment\.post: unknown directive @belongsto \(did you mean @belongsTo\?\)/, 'a misspelt @belongsTo');
  bad('type P @model @key(name: "k", fields: ["id", "x-y"]) { id: ID! }', /line 1, column 16: P: @key names the field x-y, which P does not have/, '@key with a field that is not an identifier');
  bad('type P @model { id: ID! a: String @index(name: "b", sortKeyFields: ["zz"]) }', /line 1, column 36: P\.a: @index names the field zz/, '@index naming a missing field');
  bad('type P @model { id: ID! cs: [C] @hasMany(fields: ["nope"]) } type C @model { id: ID! }', /P\.cs: @hasMany names the field nope/, '@hasMany(fields:) naming a missing field');
  bad({ models: { P: { name: 'P', fields: { id: { name: 'id', type: 'ID', isRequired: true } } } }, enums: { E: { name: 'E', values: null } }, nonModels: {}, version: '1', codegenVersion: '3.4.4' }, /E: an enum needs its values/, 'an introspection enum without values');
  bad({ models: {}, enums: {}, nonModels: {}, version: '1', codegenVersion: '3.4.4' }, /declares no model/, 'an introspection schema without models');
  throws(() => lib.createDataStore({ schema: 'type P @model { id: ID! }', databaseName: t.uniqueName('bad'), onDelete: { 'P.x': {} } }), /onDelete\["P.x"\] must be 'cascade', 'setNull' or 'restrict', not an object/, 'an onDelete policy that is not a string');
}

async function badCalls(lib, t) {
  // 14. Each message names the call and the fix.
  const { ok, equal, deepEqual, throws, rejects } = t;
  const { DataStore, models } = lib.createDataStore({ schema: SDL, databaseName: t.uniqueName('compat-calls'), outbox: true });
  const { Post, Comment } = models;
  try {
    const post = await DataStore.save(new Post({ title: 'p' }));
    await rejects(() => DataStore.outbox.read({ limit: 'x' }), 'outbox.read({ limit }): limit must be a whole number >= 0 (0: every entry), got "x"', 'outbox.read({ limit: "x" })');
    await rejects(() => DataStore.outbox.drain({ limit: -1 }), /outbox.drain\(\{ limit \}\): limit must be a whole number/, 'outbox.drain({ limit: -1 })');
    await rejects(() => DataStore.outbox.read(null), /outbox.read\(options\) takes an object/, 'outbox.read(null)');
    const cyclic = { street: 'x' };
    cyclic.self = cyclic;
    throws(() => new Post({ title: 'c', address: cyclic }), 'Field address refers to an object that contains it (a cycle): new Post() takes plain data', 'a cyclic value');
    throws(() => new Post({ title: 'b', rating: 10n }), 'Field rating should be of type string, number, boolean, object or null, bigint received (new Post())', 'a BigInt');
    throws(() => new Post({ title: 'n', rating: NaN }), 'Field rating should be a finite number, NaN received (new Post(): JSON, and so storage, has no NaN or Infinity)', 'NaN for an Int');
    throws(() => new Post({ title: 'n', rating: Infinity }), /Field rating should be a finite number, Infinity received/, 'Infinity for an Int');
    deepEqual(await DataStore.save([]), [], 'save([]) resolves with []');
    deepEqual(await DataStore.batch(() => {}), [], 'an empty batch resolves with []');
    await rejects(() => DataStore.query(Post, { id: NaN }), 'query(Post, ...): the key field id must be a string or a finite number, got NaN', 'query(Post, { id: NaN })');
    await rejects(() => DataStore.delete(Post, Comment), /Invalid predicate: Comment is a class, not a condition on Post/, 'delete(Post, Comment)');
    throws(() => lib.createDataStore(null), /createDataStore\(options\) takes an object/, 'createDataStore(null)');
    await rejects(() => post.comments.toArray(null), /toArray\(options\) takes an object/, 'toArray(null)');
    throws(() => new Post([]), /new Post\(init\) takes an object of field values/, 'new Post([])');
    throws(() => new Post(new Date()), 'new Post() takes an object of field values, not a Date', 'new Post(new Date())');
    throws(() => lib.createDataStore({ schema: SDL, databaseName: t.uniqueName('x'), onDelete: { 'Post.comments': cyclic } }), 'onDelete["Post.comments"] must be \'cascade\', \'setNull\' or \'restrict\', not an object', 'an onDelete policy that is an object');
    await rejects(() => DataStore.query(Post, (p) => p.address.eq(cyclic)), /Invalid predicate. Post.address.eq\(\) was given a value JSON cannot write/, 'a cyclic operand');
    await rejects(() => DataStore.query(Post, undefined, { limit: cyclic }), 'Limit should be a number', 'a limit that is an object');
    await rejects(() => DataStore.batch((b) => { b.put(post); }), /DataStore.batch\(b => ...\): b records operations with b.save\(instance, condition\?\) and b.delete\(instanceOrModel, criteria\?\); it has no put/, 'b.put in a batch');
    const long = 'x'.repeat(100000);
    const err = throws(() => new Post({ title: 'l', rating: long }), /Field rating should be of type number, string received\. x+… \(100000 characters in all\)/, 'a long value is cut');
    ok(err.message.length < 500, `the message is short: ${err.message.length} characters`);
    equal((await DataStore.query(Post, post.id)).title, 'p', 'the instance still serves');
  } finally {
    await DataStore.clear();
  }
}

async function quota(lib, t) {
  // 14. QuotaExceededError names the model and the call; reads keep working,
  // also from a database opened while over quota. The browser's refusal is
  // simulated: every write request throws QuotaExceededError.
  const { ok, equal, rejects } = t;
  const databaseName = t.uniqueName('compat-quota');
  // The first schema lacks Post.note: the second one's description differs,
  // which an open records when it can.
  const first = lib.createDataStore({ schema: SDL.replace('  note: String\n', ''), databaseName });
  const post = await first.DataStore.save(new first.models.Post({ title: 'kept' }));
  await first.DataStore.stop();
  const proto = globalThis.IDBObjectStore.prototype;
  const { put, add } = proto;
  const refuse = function refuse() { throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };
  proto.put = refuse;
  proto.add = refuse;
  const { DataStore, models } = lib.createDataStore({ schema: SDL, databaseName });
  try {
    equal((await DataStore.query(models.Post, post.id)).title, 'kept', 'a database opened over quota (with a changed schema description) serves reads');
    await rejects(() => DataStore.save(new models.Post({ title: 'new' })), (e) => {
      equal(e.name, 'QuotaExceededError', 'the error keeps its name');
      ok(e.message.startsWith("DataStore.save(Post) could not write: this origin's storage quota is used up"), e.message);
    }, 'a save over quota');
    equal((await DataStore.query(models.Post)).length, 1, 'nothing was written, reads still work');
  } finally {
    proto.put = put;
    proto.add = add;
    await DataStore.clear();
  }
}

async function unsetAfterSchemaChange(lib, t) {
  // 2. SPEC 4.2 for records stored before a field existed: they lack it,
  // and still read and match as null.
  const databaseName = t.uniqueName('compat-unset');
  const before = lib.createDataStore({ schema: 'type Post @model { id: ID! title: String! }', databaseName });
  const old = await before.DataStore.save(new before.models.Post({ title: 'old' }));
  await before.DataStore.stop();
  const { DataStore, models: { Post } } = lib.createDataStore({ schema: 'type Post @model { id: ID! title: String! rating: Int note: String @index(name: "byNote") }', databaseName });
  try {
    const fresh = await DataStore.save(new Post({ title: 'new', rating: 2, note: 'n' }));
    const ids = (fn) => DataStore.query(Post, fn).then((list) => list.map((p) => p.id));
    t.equal((await DataStore.query(Post, old.id)).rating, null, 'the old record reads the new field as null');
    t.deepEqual(await ids((p) => p.rating.eq(null)), [old.id], 'eq(null) matches it');
    t.deepEqual(await ids((p) => p.note.eq(null)), [old.id], 'eq(null) on an indexed field matches it');
    t.deepEqual(await ids((p) => p.rating.ne(null)), [fresh.id], 'ne(null) does not');
    t.deepEqual(await ids((p) => p.note.in([null])), [old.id], 'in([null]) matches it');
  } finally {
    await DataStore.clear();
  }
}

/** The scenarios of issue 10, for flow.mjs. */
export const compatScenarios = [
  { name: 'issue 10: SPEC 2.4, 2.5, 2.6, 2.3, 4.2, 4.3 behaviours', run: specItems },
  { name: 'issue 10: fields a record was stored without match eq(null) (SPEC 4.2)', run: unsetAfterSchemaChange },
  { name: 'issue 10: initSchema returns the enums (SPEC 1.11)', run: initSchemaEnums },
  { name: 'issue 10: a has-one finding two records is a data integrity error (SPEC 5.1)', run: integrity },
  { name: 'issue 10: the documentation snippets as written (lazy values)', run: docSnippets },
  { name: 'issue 10: deep nesting is refused and the instance keeps serving', run: deepNesting },
  { name: 'issue 10: observeQuery by id and bad migrations never hang', run: hangs },
  { name: 'issue 10: fields named like the predicate builder', run: builderNames },
  { name: 'issue 10: schemas that would break every call are refused', run: badSchemas },
  { name: 'issue 10: bad calls get messages that name the call and the fix', run: badCalls },
  { name: 'issue 10: quota errors name the model; reads keep working', run: quota },
];
