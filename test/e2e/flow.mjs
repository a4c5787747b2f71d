// The end-to-end scenario of datastore-wasm, shared by the Node run
// (node.test.mjs, over fake-indexeddb) and the Chromium run
// (browser.test.mjs, over real IndexedDB). A plain ES module with no Node
// APIs and no imports but its sibling compat.mjs: the caller passes the
// package's exports (`lib`, the namespace of dist/index.js), so the same
// code runs in both places.
//
//   import * as lib from '../../dist/index.js';
//   const results = await runFlow(lib);             // every scenario
//   const [r] = await runFlow(lib, { only: ['issue flow: save, relations, observe, cascade delete'] });
//   if (!r.ok) throw new Error(r.message);
//
// Each scenario uses its own database (createDataStore) and deletes it at
// the end, so scenarios are independent and can run in any order. Those of
// issue 10 live in compat.mjs (its only import) and get the assertion kit.
import { compatScenarios } from './compat.mjs';

/** The blog schema of ../shared/schemas/blog.graphql. */
export const BLOG_SDL = `
enum PostStatus { ACTIVE INACTIVE }
type Post @model {
  id: ID!
  title: String!
  rating: Int!
  status: PostStatus!
  comments: [Comment] @hasMany
}
type Comment @model {
  id: ID!
  content: String
  post: Post @belongsTo
}`;

/** Three levels of has-many, for the recursive cascade. */
export const BLOG3_SDL = `
type Blog @model {
  id: ID!
  name: String!
  posts: [Post] @hasMany
}
type Post @model {
  id: ID!
  title: String!
  blog: Blog @belongsTo
  comments: [Comment] @hasMany
}
type Comment @model {
  id: ID!
  content: String
  post: Post @belongsTo
}`;

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ---- assertions (no node:assert here: this module also runs in a page) ----

class FlowAssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'FlowAssertionError';
  }
}

function show(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return `[function ${v.name}]`;
  try {
    return JSON.stringify(v, (k, x) => (x === undefined ? '<undefined>' : x));
  } catch {
    return String(v);
  }
}

function fail(message) {
  throw new FlowAssertionError(message);
}

function ok(value, what) {
  if (!value) fail(what);
}

function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

function deepEqual(actual, expected, what) {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) fail(`${what}:\n  expected ${e}\n  got      ${a}`);
}

function checkError(err, expected, what) {
  if (!(err instanceof Error)) fail(`${what}: expected an Error, got ${show(err)}`);
  if (typeof expected === 'string') {
    if (err.message !== expected) fail(`${what}: wrong message\n  expected ${show(expected)}\n  got      ${show(err.message)}`);
  } else if (expected instanceof RegExp) {
    if (!expected.test(err.message)) fail(`${what}: message ${show(err.message)} does not match ${expected}`);
  } else if (typeof expected === 'function') {
    expected(err);
  }
  return err;
}

/** Asserts that fn() throws synchronously; returns the error. */
function throws(fn, expected, what) {
  let result;
  try {
    result = fn();
  } catch (err) {
    return checkError(err, expected, what);
  }
  if (result && typeof result.then === 'function') {
    result.catch(() => {}); // it will not be awaited
    fail(`${what}: expected a synchronous throw, got a Promise`);
  }
  return fail(`${what}: expected an error, nothing was thrown`);
}

/** Asserts that fn() rejects (a synchronous throw counts too); returns the error. */
async function rejects(fn, expected, what) {
  let value;
  try {
    value = await fn();
  } catch (err) {
    return checkError(err, expected, what);
  }
  return fail(`${what}: expected a rejection, it resolved with ${show(value)}`);
}

const ids = (list) => list.map((x) => x.id).sort();

// ---- observing ----

/**
 * Subscribes to an Observable and keeps its messages; until(n) resolves
 * once n messages have arrived (no polling, no timers: a missing message
 * shows up as the test's timeout).
 */
function collect(observable) {
  const messages = [];
  const waiters = [];
  let error = null;
  const settle = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (error) waiters[i].reject(error);
      else if (messages.length >= waiters[i].n) waiters[i].resolve(messages);
      else continue;
      waiters.splice(i, 1);
    }
  };
  const subscription = observable.subscribe({
    next(msg) {
      messages.push(msg);
      settle();
    },
    error(err) {
      error = err instanceof Error ? err : new Error(String(err));
      settle();
    },
  });
  return {
    messages,
    subscription,
    until(n) {
      if (error) return Promise.reject(error);
      if (messages.length >= n) return Promise.resolve(messages);
      return new Promise((resolve, reject) => waiters.push({ n, resolve, reject }));
    },
  };
}

const summary = (msgs) => msgs.map((m) => `${m.opType} ${m.model && m.model.name} ${m.element && m.element.id}`);

function uniqueName(prefix) {
  const c = globalThis.crypto;
  const suffix = c && typeof c.randomUUID === 'function' ? c.randomUUID() : String(Math.random()).slice(2);
  return `e2e-${prefix}-${suffix}`;
}

/** Runs body with a fresh DataStore over schema; clears its database afterwards. */
async function withStore(lib, schema, prefix, body) {
  const { DataStore, models } = lib.createDataStore({ schema, databaseName: uniqueName(prefix) });
  try {
    return await body(DataStore, models);
  } finally {
    await DataStore.clear();
  }
}

// ---- scenarios ----

async function issueFlow(lib) {
  return withStore(lib, BLOG_SDL, 'flow', async (DataStore, models) => {
    const { Post, Comment, PostStatus } = models;
    const { OpType } = lib;
    equal(typeof Post, 'function', 'models.Post is a class');
    equal(typeof Comment, 'function', 'models.Comment is a class');
    deepEqual(PostStatus, { ACTIVE: 'ACTIVE', INACTIVE: 'INACTIVE' }, 'PostStatus enum');
    ok(Object.isFrozen(PostStatus), 'the PostStatus enum is frozen');

    // Subscribed first, so that the INSERT messages are seen too.
    const ofComments = collect(DataStore.observe(Comment));
    const ofAll = collect(DataStore.observe());

    // new: frozen, with a generated uuid.
    const draft = new Post({ title: 'Hello', rating: 5, status: PostStatus.ACTIVE });
    ok(draft instanceof Post, 'new Post() is a Post');
    ok(Object.isFrozen(draft), 'new Post() is frozen');
    ok(UUID_V4.test(draft.id), `new Post() gets a uuid v4 id, got ${show(draft.id)}`);
    throws(() => { draft.title = 'changed'; }, (e) => ok(e instanceof TypeError, `assigning to a frozen instance throws a TypeError, got ${e.name}`), 'assignment to a frozen instance');
    equal(draft.title, 'Hello', 'the frozen instance keeps its title');
    const other = new Post({ title: 'Other', rating: 1, status: PostStatus.INACTIVE });
    ok(other.id !== draft.id, 'two instances get different ids');

    // save resolves with a new, frozen instance read back from storage.
    const post = await DataStore.save(draft);
    ok(post !== draft, 'save resolves with a new instance, not its argument');
    ok(post instanceof Post, 'save resolves with a Post');
    ok(Object.isFrozen(post), 'the saved instance is frozen');
    deepEqual([post.id, post.title, post.rating, post.status], [draft.id, 'Hello', 5, 'ACTIVE'], 'saved fields');

    // A comment by related instance: the FK comes from the instance.
    const byInstance = new Comment({ content: 'Nice', post });
    equal(byInstance.postCommentsId, post.id, 'new Comment({post}) sets postCommentsId from the instance');
    const comment = await DataStore.save(byInstance);
    ok(comment instanceof Comment && Object.isFrozen(comment), 'the saved comment is a frozen Comment');
    equal(comment.postCommentsId, post.id, 'the stored comment keeps postCommentsId');
    equal(comment.content, 'Nice', 'the stored comment keeps its content');
    ok(UUID_V4.test(comment.id), 'the comment gets a uuid v4 id');

    // A comment by key field works as well.
    const byKey = await DataStore.save(new Comment({ content: 'By key', postCommentsId: post.id }));
    equal(byKey.postCommentsId, post.id, 'a comment saved with the key field keeps it');

    // Query by id: equal fields, a different frozen instance.
    const again = await DataStore.query(Post, post.id);
    ok(again instanceof Post, 'query(Post, id) returns a Post');
    ok(again !== post, 'query returns a new instance');
    ok(Object.isFrozen(again), 'the queried instance is frozen');
    for (const f of ['id', 'title', 'rating', 'status', 'createdAt', 'updatedAt']) {
      equal(again[f], post[f], `query(Post, id).${f}`);
    }
    equal(await DataStore.query(Post, 'no-such-id'), undefined, 'query(Post, unknown id) resolves with undefined');

    // Lazy has-many.
    const collection = again.comments;
    ok(collection instanceof lib.AsyncCollection, 'post.comments is an AsyncCollection');
    const comments = await collection.toArray();
    deepEqual(ids(comments), ids([comment, byKey]), 'post.comments.toArray() returns both comments');
    ok(comments.every((c) => c instanceof Comment && Object.isFrozen(c)), 'lazy-loaded comments are frozen Comments');
    const nice = comments.find((c) => c.id === comment.id);
    equal(nice.content, 'Nice', 'the lazy-loaded comment has its content');
    const iterated = [];
    for await (const c of again.comments) iterated.push(c);
    deepEqual(ids(iterated), ids(comments), 'for await over post.comments');
    deepEqual(await again.comments.toArray({ max: 0 }), [], 'toArray({max: 0})');
    equal((await again.comments.toArray({ max: 1 })).length, 1, 'toArray({max: 1})');

    // Lazy belongs-to; the parent's key is there at once.
    equal(comments[0].post.id, post.id, 'comments[0].post.id, synchronously');
    const parentPromise = nice.post;
    ok(parentPromise instanceof Promise, 'comment.post is a Promise');
    const parent = await parentPromise;
    ok(parent instanceof Post, 'await comment.post resolves with a Post');
    equal(parent.id, post.id, 'await comment.post resolves with the post');
    equal(parent.title, 'Hello', 'the lazy-loaded post has its title');
    equal(nice.post, parentPromise, 'comment.post is memoised');

    // A predicate on the FK, and how it is planned.
    const byPredicate = await DataStore.query(Comment, (c) => c.postCommentsId.eq(post.id));
    deepEqual(ids(byPredicate), ids([comment, byKey]), 'query(Comment, c => c.postCommentsId.eq(id))');
    deepEqual(await DataStore.query(Comment, (c) => c.postCommentsId.eq('no-such-post')), [], 'a predicate matching nothing');
    const plan = await DataStore.explain(Comment, (c) => c.postCommentsId.eq(post.id));
    equal(plan.store, 'Comment', 'explain: store');
    equal(plan.index, 'postCommentsId', 'explain: index');
    equal(plan.access, 'key', 'explain: access');

    // observe(Comment) has seen both INSERTs, in order.
    await ofComments.until(2);
    deepEqual(summary(ofComments.messages), [`INSERT Comment ${comment.id}`, `INSERT Comment ${byKey.id}`], 'observe(Comment) messages after the saves');
    for (const m of ofComments.messages) {
      deepEqual(Object.keys(m).sort(), ['condition', 'element', 'model', 'opType'], 'message keys');
      equal(m.model, Comment, 'message.model is the Comment class');
      ok(m.element instanceof Comment && Object.isFrozen(m.element), 'INSERT element is a frozen Comment');
      equal(m.condition, null, 'INSERT without condition has condition null');
    }
    equal(ofComments.messages[0].element.content, 'Nice', 'INSERT element has the stored fields');

    // Delete the post: its comments go with it, in one call.
    const before = ofAll.messages.length;
    const deleted = await DataStore.delete(again);
    equal(deleted, again, 'delete(instance) resolves with that instance');
    await ofAll.until(before + 3);
    const dels = ofAll.messages.slice(before);
    equal(dels.length, 3, 'one DELETE per record removed');
    ok(dels.every((m) => m.opType === OpType.DELETE), `all DELETE: ${show(summary(dels))}`);
    deepEqual(dels.slice(0, 2).map((m) => m.model), [Comment, Comment], 'the comments are deleted first');
    deepEqual(ids(dels.slice(0, 2).map((m) => m.element)), ids([comment, byKey]), 'the DELETEd comments');
    ok(dels.slice(0, 2).every((m) => m.condition === null), 'cascaded DELETEs have condition null');
    equal(dels[2].model, Post, 'the post is deleted last');
    equal(dels[2].element, again, 'the post DELETE element is the object passed to delete');
    ok(dels[2].condition !== null && typeof dels[2].condition === 'object', 'the root DELETE of delete(instance) carries a condition');

    await ofComments.until(4);
    deepEqual(ofComments.messages.map((m) => m.opType), ['INSERT', 'INSERT', 'DELETE', 'DELETE'], 'observe(Comment): INSERT then DELETE');
    ok(ofComments.messages.slice(2).every((m) => m.model === Comment && m.element instanceof Comment), 'DELETE elements are Comments');

    deepEqual(await DataStore.query(Post), [], 'no posts left');
    deepEqual(await DataStore.query(Comment), [], 'no comments left');
    equal(await DataStore.query(Post, post.id), undefined, 'the post is gone');
    deepEqual(await again.comments.toArray(), [], 'the deleted post has no comments');

    ofComments.subscription.unsubscribe();
    ofAll.subscription.unsubscribe();
    return { plan, messages: summary(ofAll.messages) };
  });
}

async function recursiveCascade(lib) {
  return withStore(lib, BLOG3_SDL, 'cascade', async (DataStore, { Blog, Post, Comment }) => {
    const blog = await DataStore.save(new Blog({ name: 'Main' }));
    const keep = await DataStore.save(new Blog({ name: 'Kept' }));
    const posts = [];
    const comments = [];
    for (const title of ['p1', 'p2']) {
      const p = await DataStore.save(new Post({ title, blog }));
      equal(p.blogPostsId, blog.id, 'Post.blogPostsId set from the blog');
      posts.push(p);
      for (const content of ['a', 'b']) comments.push(await DataStore.save(new Comment({ content: `${title}${content}`, post: p })));
    }
    const keptPost = await DataStore.save(new Post({ title: 'kept', blog: keep }));
    const keptComment = await DataStore.save(new Comment({ content: 'kept', post: keptPost }));

    const fromBlog = await (await DataStore.query(Blog, blog.id)).posts.toArray();
    deepEqual(ids(fromBlog), ids(posts), 'blog.posts');

    const all = collect(DataStore.observe());
    equal(await DataStore.delete(blog), blog, 'delete(blog) resolves with the blog');
    await all.until(7);
    const msgs = all.messages;
    equal(msgs.length, 7, `one DELETE per record (4 comments, 2 posts, 1 blog): ${show(summary(msgs))}`);
    ok(msgs.every((m) => m.opType === 'DELETE'), 'all DELETE');
    deepEqual(msgs.map((m) => m.model.name), ['Comment', 'Comment', 'Comment', 'Comment', 'Post', 'Post', 'Blog'], 'descendants before ancestors');
    deepEqual(ids(msgs.slice(0, 4).map((m) => m.element)), ids(comments), 'the deleted comments');
    deepEqual(ids(msgs.slice(4, 6).map((m) => m.element)), ids(posts), 'the deleted posts');
    equal(msgs[6].element, blog, 'the root DELETE element is the blog passed');
    all.subscription.unsubscribe();

    deepEqual(ids(await DataStore.query(Blog)), [keep.id], 'only the other blog is left');
    deepEqual(ids(await DataStore.query(Post)), [keptPost.id], 'only the other blog\'s post is left');
    deepEqual(ids(await DataStore.query(Comment)), [keptComment.id], 'only the other blog\'s comment is left');

    // By predicate: resolves with the roots, cascades as well.
    const roots = await DataStore.delete(Blog, (b) => b.name.eq('Kept'));
    deepEqual(ids(roots), [keep.id], 'delete(Blog, predicate) resolves with the deleted roots');
    for (const M of [Blog, Post, Comment]) deepEqual(await DataStore.query(M), [], `no ${M.name} left`);
  });
}

/** The three delete policies, and a has-one whose key is on the source. */
export const POLICIES_SDL = `
type Blog @model {
  id: ID!
  name: String!
  posts: [Post] @hasMany
}
type Post @model {
  id: ID!
  title: String!
  blog: Blog @belongsTo
  comments: [Comment] @hasMany
  notes: [Note] @hasMany(onDelete: SET_NULL)
  pins: [Pin] @hasMany(onDelete: RESTRICT)
}
type Comment @model { id: ID! content: String post: Post @belongsTo }
type Note @model { id: ID! text: String post: Post @belongsTo }
type Pin @model { id: ID! label: String post: Post @belongsTo }`;

// DataStore.planDelete is the delete's own walk, writing nothing; and
// DataStore.schema is the schema as Go read it.
async function planDeleteAndSchema(lib) {
  return withStore(lib, POLICIES_SDL, 'plandelete', async (DataStore, { Blog, Post, Comment, Note, Pin }) => {
    const schema = DataStore.schema;
    ok(Object.isFrozen(schema) && Object.isFrozen(schema.models.Post.relations[0]), 'the schema description is frozen');
    deepEqual(Object.keys(schema.models), ['Blog', 'Post', 'Comment', 'Note', 'Pin'], 'models in schema order');
    const posts = schema.models.Post;
    deepEqual(posts.primaryKey, ['id'], 'Post.primaryKey');
    deepEqual(posts.fields.find((f) => f.name === 'blogPostsId'), { name: 'blogPostsId', kind: 'scalar', type: 'ID', isArray: false, isRequired: false, isListRequired: false, readOnly: false }, 'the implied foreign key Post.blogPostsId');
    ok(posts.fields.find((f) => f.name === 'updatedAt').readOnly, 'updatedAt is read-only');
    ok(posts.indexes.some((ix) => ix.fields.join() === 'blogPostsId'), `Post has an index over blogPostsId: ${show(posts.indexes)}`);
    deepEqual(posts.relations.map((r) => `${r.field} ${r.kind} ${r.target} ${r.localFields}=${r.remoteFields} ${r.onDelete} ${r.holdsKey}`), [
      'blog BELONGS_TO Blog blogPostsId=id null true',
      'comments HAS_MANY Comment id=postCommentsId cascade false',
      'notes HAS_MANY Note id=postNotesId setNull false',
      'pins HAS_MANY Pin id=postPinsId restrict false',
    ], 'Post.relations');

    const blog = await DataStore.save(new Blog({ name: 'b' }));
    const post = await DataStore.save(new Post({ title: 'p', blog }));
    const comment = await DataStore.save(new Comment({ content: 'c', post }));
    const note = await DataStore.save(new Note({ text: 'n', post }));
    const pin = await DataStore.save(new Pin({ label: 'x', post }));
    const seen = collect(DataStore.observe());

    const blocked = await DataStore.planDelete(blog);
    equal(blocked.ok, false, 'a pin blocks the delete');
    deepEqual(blocked.blocked.map((e) => `${e.model} ${e.element.id} ${e.via}`), [`Pin ${pin.id} Post.pins`], 'the blocking records');
    deepEqual(blocked.removed.map((e) => `${e.model} ${e.element.id} ${e.via}`), [`Comment ${comment.id} Post.comments`, `Post ${post.id} Blog.posts`, `Blog ${blog.id} null`], 'what would be removed, descendants first');
    deepEqual(blocked.updated.map((e) => `${e.model} ${e.element.id} ${e.via} ${e.fields} ${e.element.postNotesId}`), [`Note ${note.id} Post.notes postNotesId ${post.id}`], 'what would be set to null (as stored now)');
    deepEqual(ids(blocked.roots), [blog.id], 'the roots');
    await rejects(() => DataStore.delete(blog), /restrict/, 'the real delete is refused, as planned');
    for (const M of [Blog, Post, Comment, Note, Pin]) equal((await DataStore.query(M)).length, 1, `planDelete wrote no ${M.name}`);

    await DataStore.delete(pin);
    await seen.until(1);
    const plan = await DataStore.planDelete(Blog, (b) => b.name.eq('b'));
    ok(plan.ok && plan.blocked.length === 0, 'nothing blocks now');
    const expected = [...plan.removed.map((e) => `DELETE ${e.model} ${e.element.id}`), ...plan.updated.map((e) => `UPDATE ${e.model} ${e.element.id}`)];
    await DataStore.delete(Blog, (b) => b.name.eq('b'));
    await seen.until(1 + expected.length);
    deepEqual(summary(seen.messages.slice(1)), expected, 'the delete did what planDelete said');
    seen.subscription.unsubscribe();
    equal((await DataStore.query(Note, note.id)).postNotesId, null, 'the note\'s key is null');
    await rejects(() => DataStore.planDelete(Blog), /criteria required/, 'planDelete checks its arguments as delete does');
  });
}

async function copyOfUpdate(lib) {
  return withStore(lib, BLOG_SDL, 'update', async (DataStore, { Post, PostStatus }) => {
    const post = await DataStore.save(new Post({ title: 'Draft', rating: 3, status: PostStatus.ACTIVE }));
    const seen = collect(DataStore.observe(Post));
    const copy = Post.copyOf(post, (d) => {
      d.title = 'Final';
      d.status = PostStatus.INACTIVE;
    });
    ok(copy !== post && copy instanceof Post && Object.isFrozen(copy), 'copyOf returns a new frozen Post');
    equal(copy.id, post.id, 'copyOf keeps the id');
    equal(post.title, 'Draft', 'copyOf leaves the source unchanged');
    const saved = await DataStore.save(copy);
    deepEqual([saved.title, saved.status, saved.rating], ['Final', 'INACTIVE', 3], 'the saved update');
    await seen.until(1);
    equal(seen.messages.length, 1, 'one message for the update');
    const [m] = seen.messages;
    equal(m.opType, lib.OpType.UPDATE, 'copyOf + save emits UPDATE');
    equal(m.model, Post, 'UPDATE model');
    equal(m.element.id, post.id, 'UPDATE element id');
    equal(m.element.title, 'Final', 'UPDATE element has the new title');
    equal(m.condition, null, 'UPDATE condition');
    const stored = await DataStore.query(Post);
    equal(stored.length, 1, 'an update does not add a record');
    equal(stored[0].title, 'Final', 'the stored record is updated');
    throws(() => Post.copyOf({ id: post.id }, () => {}), 'The source object is not a valid model', 'copyOf of a plain object');
    seen.subscription.unsubscribe();
  });
}

async function validationErrors(lib) {
  return withStore(lib, BLOG_SDL, 'validation', async (DataStore, { Post, Comment, PostStatus }) => {
    throws(() => new Post({ title: 5, rating: 5, status: PostStatus.ACTIVE }),
      'Field title should be of type string, number received. 5', 'a number for a String');
    throws(() => new Post({ title: 'x', rating: 'five', status: PostStatus.ACTIVE }),
      'Field rating should be of type number, string received. five', 'a string for an Int');

    const missing = new Post({ title: 'No rating', status: PostStatus.ACTIVE }); // omitted: fails at save only
    await rejects(() => DataStore.save(missing), 'Field rating is required', 'save with an omitted required field');

    await rejects(() => DataStore.save({ title: 'plain', rating: 1, status: 'ACTIVE' }),
      'Object is not an instance of a valid model', 'save of a plain object');
    await rejects(() => DataStore.save(undefined), 'Object is not an instance of a valid model', 'save of undefined');
    await rejects(() => DataStore.delete(Post),
      'Id to delete or criteria required. Do you want to delete all? Pass Predicates.ALL', 'delete(Post) without criteria');
    await rejects(() => DataStore.delete(), 'Model or Model Constructor required', 'delete() without a model');

    deepEqual(await DataStore.query(Post), [], 'nothing was stored by the failed calls');
    deepEqual(await DataStore.query(Comment), [], 'no comments either');

    const contacts = lib.createDataStore({ schema: 'type Contact @model { id: ID! email: AWSEmail }', databaseName: uniqueName('contact') });
    const { Contact } = contacts.models;
    throws(() => new Contact({ email: 'not-an-email' }),
      'Field email should be of type AWSEmail, validation failed. not-an-email', 'an invalid AWSEmail');
    equal(new Contact({ email: 'ann@example.com' }).email, 'ann@example.com', 'a valid AWSEmail');
  });
}

async function integrityError(lib) {
  return withStore(lib, BLOG_SDL, 'integrity', async (DataStore, { Post, Comment, PostStatus }) => {
    const ghost = new Post({ title: 'Never saved', rating: 1, status: PostStatus.ACTIVE });
    const orphan = new Comment({ content: 'Orphan', post: ghost });
    const err = await rejects(() => DataStore.save(orphan), /^Data integrity error\. You tried to save a Comment /, 'save of a comment whose post was never saved');
    equal(err.message,
      `Data integrity error. You tried to save a Comment (${JSON.stringify(orphan)}) but the instance assigned to the "post" property does not exist in the local database. If you're trying to create the related "Post", you must save it independently first.`,
      'the full integrity message (SPEC 3.2)');
    deepEqual(await DataStore.query(Comment), [], 'the orphan comment was not stored');

    // Once the post is saved, the same comment saves.
    await DataStore.save(ghost);
    const saved = await DataStore.save(orphan);
    equal(saved.postCommentsId, ghost.id, 'the comment saves once its post exists');
    // No FK: no parent to check.
    equal((await DataStore.save(new Comment({ content: 'Loose' }))).postCommentsId ?? null, null, 'a comment without a post saves');
  });
}

async function badSchema(lib) {
  const err = throws(() => lib.createDataStore({ schema: 'type Post @model { id: ID! x: Foo }', databaseName: uniqueName('bad') }),
    /Post\.x/, 'a schema with an unknown type');
  ok(/\bline\b/.test(err.message), `the schema error gives the line: ${show(err.message)}`);
  ok(err.message.includes('Foo'), `the schema error names the unknown type: ${show(err.message)}`);
  throws(() => lib.createDataStore({ schema: 42 }), /schema/i, 'a schema that is neither SDL nor an object');
  return { message: err.message };
}

async function panicRecovery(lib) {
  const engine = globalThis.__datastoreWasm;
  ok(engine && typeof engine.debugPanic === 'function', 'globalThis.__datastoreWasm.debugPanic exists');
  return withStore(lib, BLOG_SDL, 'panic', async (DataStore, { Post, PostStatus }) => {
    const post = await DataStore.save(new Post({ title: 'Survivor', rating: 4, status: PostStatus.ACTIVE }));
    // The engine logs the panic's stack with console.error: keep it, quietly.
    const logged = [];
    const original = console.error;
    console.error = (...args) => { logged.push(args.map(String).join(' ')); };
    let err;
    try {
      err = await rejects(() => engine.debugPanic(), /panic/, 'debugPanic()');
    } finally {
      console.error = original;
    }
    ok(err instanceof Error, 'the panic rejects with an Error');
    ok(logged.some((l) => l.includes('panic')), 'the panic stack goes to console.error');
    const found = await DataStore.query(Post, post.id);
    equal(found && found.title, 'Survivor', 'a query works after the panic');
    const next = await DataStore.save(new Post({ title: 'After', rating: 1, status: PostStatus.INACTIVE }));
    equal((await DataStore.query(Post)).length, 2, 'a save works after the panic');
    equal((await DataStore.query(Post, next.id)).title, 'After', 'the post saved after the panic');
    return { message: err.message };
  });
}

async function defaultInstance(lib) {
  const exportsOf = lib.initSchema(BLOG_SDL);
  const { Post, Comment, PostStatus } = exportsOf;
  ok(typeof Post === 'function' && typeof Comment === 'function', 'initSchema returns the model classes');
  equal(PostStatus.ACTIVE, 'ACTIVE', 'initSchema returns the enums');
  const { DataStore } = lib;
  try {
    const post = await DataStore.save(new Post({ title: 'Default', rating: 2, status: PostStatus.ACTIVE }));
    await DataStore.save(new Comment({ content: 'On default', post }));
    const again = await DataStore.query(Post, post.id);
    equal(again.title, 'Default', 'the default DataStore stores and reads');
    equal((await again.comments.toArray())[0].content, 'On default', 'lazy loading on the default DataStore');
    await DataStore.delete(again);
    deepEqual(await DataStore.query(Comment), [], 'cascade on the default DataStore');
  } finally {
    await DataStore.clear();
  }
}

// A constructor's instance is its record as Go made it, whichever way Go
// answered (the whole record, or what it added to plain values); a save
// finds that record by the instance's ticket, and an instance made long
// before (its record no longer kept) is saved from its own values.
async function constructedInstances(lib) {
  return withStore(lib, BLOG_SDL, 'constructed', async (DataStore, { Post, Comment, PostStatus }) => {
    const given = { status: PostStatus.ACTIVE, rating: -0, title: 'Plain' };
    const plain = new Post(given);
    deepEqual(Object.keys(plain), ['id', 'title', 'rating', 'status', 'createdAt', 'updatedAt', '_version', '_lastChangedAt', '_deleted'].filter((k) => k in plain),
      'fields in schema order, whatever order they were given in');
    ok(Object.is(plain.rating, 0) && plain.createdAt === null && Object.isFrozen(plain) && typeof plain.id === 'string', '-0 as JSON writes it, unset fields null, frozen');
    const withJSON = new Post({ title: 'ignored', rating: 1, status: PostStatus.ACTIVE, toJSON() { return { title: 'Written', rating: 2, status: 'ACTIVE' }; } });
    deepEqual([withJSON.title, withJSON.rating], ['Written', 2], 'an init with toJSON is the values it writes');
    const inheriting = Object.create({ title: 'Inherited' });
    Object.assign(inheriting, { rating: 1, status: PostStatus.ACTIVE });
    Object.defineProperty(inheriting, 'id', { value: 'hidden', enumerable: false });
    const fromProto = new Post(inheriting);
    ok(fromProto.title === null && fromProto.id !== 'hidden' && fromProto.rating === 1, 'only own enumerable values are given, as JSON writes them');
    const extra = new Post({ title: 'x', rating: 1, status: PostStatus.ACTIVE, note: 'kept' });
    equal(extra.note, 'kept', 'a key outside the schema is kept (SPEC 2.1)');
    const first = new Post({ title: 'First', rating: 1, status: PostStatus.ACTIVE });
    const firstBatch = [new Post({ title: 'B1', rating: 1, status: PostStatus.ACTIVE }), new Post({ title: 'B2', rating: 1, status: PostStatus.ACTIVE })];
    const fresh = new Post({ title: 'Fresh', rating: 1, status: PostStatus.ACTIVE });
    const freshCopy = Post.copyOf(fresh, (d) => { d.rating = 3; });
    deepEqual([freshCopy.id, freshCopy.title, freshCopy.rating], [fresh.id, 'Fresh', 3], 'a copy of a new instance');
    for (let i = 0; i < 1100; i++) new Comment({ content: `filler ${i}` }); // more than Go keeps
    const oldCopy = Post.copyOf(first, (d) => { d.rating = 4; });
    deepEqual([oldCopy.id, oldCopy.title, oldCopy.rating], [first.id, 'First', 4], 'a copy of an instance made long before');
    equal((await DataStore.save(Post.copyOf(freshCopy, (d) => { d.title = 'Fresher'; }))).title, 'Fresher', 'a copy of a copy, saved');
    const saved = await DataStore.save(first);
    deepEqual([saved.id, saved.title], [first.id, 'First'], 'an instance made long before its save is saved from its values');
    const batch = await DataStore.save([...firstBatch, plain]);
    deepEqual(batch.map((p) => p.title), ['B1', 'B2', 'Plain'], 'and so is a batch of old and new instances');
    deepEqual((await DataStore.query(Post)).map((p) => p.title).sort(), ['B1', 'B2', 'First', 'Fresher', 'Plain'], 'each stored once');
    await DataStore.save(Post.copyOf(saved, (d) => { d.title = 'Copied'; }));
    equal((await DataStore.query(Post, first.id)).title, 'Copied', 'a copy is saved by its ticket too');
  });
}

// Behaviour the SPEC asks for that the product does not have yet. The
// tests run them as `todo`: reported, not failing the run.

async function insertionOrder(lib) {
  return withStore(lib, BLOG_SDL, 'order', async (DataStore, { Post, Comment, PostStatus }) => {
    const post = await DataStore.save(new Post({ title: 'Ordered', rating: 1, status: PostStatus.ACTIVE }));
    const contents = ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];
    for (const content of contents) await DataStore.save(new Comment({ content, post }));
    deepEqual((await DataStore.query(Comment)).map((c) => c.content), contents, 'query(Comment) without sort: order of first insertion (SPEC 4.7)');
    deepEqual((await DataStore.query(Comment, (c) => c.postCommentsId.eq(post.id))).map((c) => c.content), contents, 'query by FK predicate: order of first insertion');
    deepEqual((await post.comments.toArray()).map((c) => c.content), contents, 'post.comments.toArray(): order of first insertion');
  });
}

async function requiredNullAtConstruction(lib) {
  const { models: { Post, PostStatus } } = lib.createDataStore({ schema: BLOG_SDL, databaseName: uniqueName('required') });
  throws(() => new Post({ title: null, rating: 1, status: PostStatus.ACTIVE }),
    'Field title is required', 'new Post({title: null}): a given null for a required field (SPEC 2.1, 2.4)');
}

async function insertAfterSave(lib) {
  return withStore(lib, BLOG_SDL, 'timing', async (DataStore, { Post, PostStatus }) => {
    const order = [];
    const seen = collect(DataStore.observe(Post));
    const sub = DataStore.observe(Post).subscribe(() => order.push('message'));
    await DataStore.save(new Post({ title: 'Timing', rating: 1, status: PostStatus.ACTIVE })).then(() => order.push('resolved'));
    await seen.until(1);
    sub.unsubscribe();
    seen.subscription.unsubscribe();
    deepEqual(order, ['resolved', 'message'], 'the INSERT message comes after save() resolves (SPEC 6.3)');
  });
}

// Un-awaited saves share a transaction (group commit), yet each promise
// settles on its own: a failing save rejects alone, the others are written
// and observed as if saved one by one.
async function groupCommit(lib) {
  return withStore(lib, BLOG_SDL, 'group', async (DataStore, { Post, Comment, PostStatus }) => {
    const seen = collect(DataStore.observe());
    const post = (title) => new Post({ title, rating: 1, status: PostStatus.ACTIVE });
    const settled = await Promise.allSettled([
      DataStore.save(post('a')),
      DataStore.save(post('b')),
      DataStore.save(new Comment({ content: 'orphan', postCommentsId: 'missing' })),
      DataStore.save(post('c')),
    ]);
    deepEqual(settled.map((s) => s.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'], 'only the failing save rejects');
    ok(/^Data integrity error\. You tried to save a Comment/.test(settled[2].reason.message), 'with its own error');
    deepEqual((await DataStore.query(Post)).map((p) => p.title), ['a', 'b', 'c'], 'the others are stored, in order');
    const messages = await seen.until(3);
    deepEqual(messages.map((m) => `${m.opType} ${m.element.title}`), ['INSERT a', 'INSERT b', 'INSERT c'], 'one message per stored save');
    const again = await Promise.all([DataStore.save(post('d')), DataStore.save(post('e'))]);
    deepEqual(again.map((p) => p.title), ['d', 'e'], 'a group resolves each save with its own instance');
    seen.subscription.unsubscribe();
  });
}

async function deleteConditionShape(lib) {
  return withStore(lib, BLOG_SDL, 'condition', async (DataStore, { Post, PostStatus }) => {
    const post = await DataStore.save(new Post({ title: 'Condition', rating: 1, status: PostStatus.ACTIVE }));
    const seen = collect(DataStore.observe(Post));
    await DataStore.delete(post);
    await seen.until(1);
    deepEqual(seen.messages[0].condition,
      { type: 'and', predicates: [{ field: 'id', operator: 'eq', operand: post.id }] },
      'condition of the root DELETE of delete(instance) (SPEC 6.5)');
    seen.subscription.unsubscribe();
  });
}

// Conditions on related models (SPEC 4.4) and eager loading, with the
// schema of the documentation's post-tag example plus comments and authors.
const RELATED_SDL = `
type Post @model { id: ID! body: String rating: Int @index(name: "byRating") tags: [Tag] @manyToMany(relationName: "PostTag") comments: [Comment] @hasMany author: Author @hasOne }
type Author @model { id: ID! name: String! }
type Tag @model { id: ID! label: String! @index(name: "byLabel") posts: [Post] @manyToMany(relationName: "PostTag") }
type Comment @model { id: ID! content: String post: Post @belongsTo }`;

async function relatedConditions(lib) {
  return withStore(lib, RELATED_SDL, 'related', async (DataStore, { Post, Tag, PostTag, Comment, Author }) => {
    const ann = await DataStore.save(new Author({ name: 'Ann' }));
    const one = await DataStore.save(new Post({ body: 'one', rating: 1, author: ann }));
    const two = await DataStore.save(new Post({ body: 'two', rating: 2 }));
    const three = await DataStore.save(new Post({ body: 'three', rating: 3 }));
    const red = await DataStore.save(new Tag({ label: 'red' }));
    const blue = await DataStore.save(new Tag({ label: 'blue' }));
    await DataStore.save(new PostTag({ post: one, tag: red }));
    await DataStore.save(new PostTag({ post: two, tag: red }));
    await DataStore.save(new PostTag({ post: two, tag: blue }));
    await DataStore.save(new Comment({ content: 'hello', post: one }));
    await DataStore.save(new Comment({ content: 'bye', post: one }));
    await DataStore.save(new Comment({ content: 'hello', post: two }));
    const bodies = async (p) => (await DataStore.query(Post, p)).map((x) => x.body).sort();
    deepEqual(await bodies((p) => p.comments.content.eq('hello')), ['one', 'two'], 'has-many: a post matches when one of its comments does');
    deepEqual(await bodies((p) => p.and((p) => [p.comments.content.eq('hello'), p.comments.content.eq('bye')])), ['one'], 'and over children');
    deepEqual(await bodies((p) => p.tags.tag.label.eq('blue')), ['two'], 'through the join model');
    deepEqual(await bodies((p) => p.not((p) => p.comments.content.eq('bye'))), ['three', 'two'], 'not: posts none of whose comments match');
    deepEqual(await bodies((p) => p.or((p) => [p.author.name.eq('Ann'), p.rating.eq(3)])), ['one', 'three'], 'has-one or a field');
    deepEqual((await DataStore.query(Comment, (c) => c.post.body.eq('one'))).map((c) => c.content).sort(), ['bye', 'hello'], 'belongs-to');
    deepEqual((await DataStore.query(Tag, (t) => t.posts.post.rating.gt(1))).map((t) => t.label).sort(), ['blue', 'red'], 'many-to-many from the other side');
    const plan = await DataStore.explain(Comment, (c) => c.post.body.eq('one'));
    deepEqual([plan.index, plan.access, plan.steps.length], ['postCommentsId', 'keys', 1], 'a related condition becomes key lookups on the foreign-key index');
    await rejects(() => DataStore.save(one, (p) => p.comments.content.eq('x')), 'Predication on releated models is not supported in this context.', 'no related conditions on save');
    await rejects(() => DataStore.query(Comment, (c) => c.post.eq('x')), 'Comment.post is a relation: give a condition on one of Post\'s fields, as c.post.id.eq(...)', 'a relation used as a scalar');

    // Eager: the post with its comments, author and tags' tags, in one read;
    // the getters answer from what was read, even after a delete.
    const eager = await DataStore.query(Post, one.id, { include: (p) => [p.comments, p.author, p.tags.tag] });
    // The next keys read by the plan of the first, their own key put in.
    const eagerTwo = await DataStore.query(Post, two.id, { include: (p) => [p.comments, p.author, p.tags.tag] });
    equal(eagerTwo.body, 'two', 'a second key read with the same includes reads its own post');
    deepEqual((await eagerTwo.comments.toArray()).map((c) => c.content), ['hello'], 'and its own comments');
    deepEqual((await Promise.all((await eagerTwo.tags.toArray()).map(async (j) => (await j.tag).label))).sort(), ['blue', 'red'], 'and its own tags');
    equal(await DataStore.query(Post, 'no-such-post', { include: (p) => [p.comments, p.author, p.tags.tag] }), undefined, 'a key that is not stored reads nothing');
    await DataStore.delete(Comment, lib.Predicates.ALL);
    deepEqual((await eager.comments.toArray()).map((c) => c.content), ['hello', 'bye'], 'included comments, in insertion order');
    equal((await eager.author).name, 'Ann', 'included author');
    deepEqual(await Promise.all((await eager.tags.toArray()).map(async (j) => (await j.tag).label)), ['red'], 'included tags through the join');
    deepEqual((await one.comments.toArray()).length, 0, 'a lazy collection reads afresh and never shows deleted children');
    await rejects(() => DataStore.query(Post, one.id, { include: (p) => [p.body] }), 'Invalid include: Post.body is not a relation field', 'include of a field that is no relation');
  });
}

async function indexUse(lib) {
  return withStore(lib, RELATED_SDL, 'index', async (DataStore, { Post, Tag, Comment }) => {
    const plan = (M, p) => DataStore.explain(M, p).then((x) => `${x.index || '(key)'} ${x.access}`);
    equal(await plan(Post, (p) => p.id.eq('x')), '(key) key', 'eq on the primary key');
    equal(await plan(Post, (p) => p.rating.eq(1)), 'rating key', 'eq on an @index');
    equal(await plan(Post, (p) => p.rating.gt(1)), 'rating range', 'gt');
    equal(await plan(Post, (p) => p.rating.le(1)), 'rating range', 'le');
    equal(await plan(Post, (p) => p.rating.between(1, 2)), 'rating range', 'between');
    equal(await plan(Tag, (t) => t.label.beginsWith('r')), 'label range', 'beginsWith');
    equal(await plan(Post, (p) => p.id.in(['a', 'b'])), '(key) keys', 'in on the primary key');
    equal(await plan(Comment, (c) => c.postCommentsId.eq('p')), 'postCommentsId key', 'eq on a foreign key');
    equal(await plan(Post, (p) => p.body.eq('x')), '(key) scan', 'no index on body: a scan');
    equal(await plan(Post, (p) => p.and((p) => [p.body.eq('x'), p.rating.ge(2)])), 'rating range', 'and: the indexed condition drives');
    await rejects(() => DataStore.query(Post, (p) => p.rating.eq('2')), 'Invalid predicate. Post.rating holds a number, and eq() was given a string "2"', 'wrong operand type');
    await rejects(() => DataStore.query(Post, (p) => p.rating.between(3, 1)), 'Incorrect usage of `between()`: The first argument must be less than or equal to the second argument.', 'between reversed');
    await rejects(() => DataStore.query(Post, (p) => p.rating.in(2)), 'Incorrect usage of `in()`: The argument must be an array.', 'in without an array');
    await rejects(() => DataStore.query(Post, (p) => p.nope.eq(1)), 'Invalid field for model. field: nope, model: Post', 'unknown field');
    const all = (await DataStore.query(Post)).length;
    equal((await DataStore.query(Post, (p) => p)).length, all, 'the bare seed p => p selects every record (SPEC 4.3)');
    equal((await DataStore.query(Post, (p) => p.or(() => []))).length, all, 'an empty or selects every record');
    await rejects(() => DataStore.query(Post, (p) => p.rating.eq(1).body), /^Invalid predicate\. Terminate your predicate/, 'a chained condition');
  });
}

async function compositeKeys(lib) {
  const sdl = `type Inventory @model { productID: ID! @primaryKey(sortKeyFields: ["warehouseID"]) warehouseID: ID! quantity: Int! }
type Event @model { id: ID! room: String! @index(name: "byRoom", sortKeyFields: ["at"]) at: Int! }`;
  return withStore(lib, sdl, 'composite', async (DataStore, { Inventory, Event }) => {
    for (const [productID, warehouseID, quantity] of [['p1', 'w1', 1], ['p1', 'w2', 2], ['p2', 'w1', 3], ['p10', 'w1', 4]]) {
      await DataStore.save(new Inventory({ productID, warehouseID, quantity }));
    }
    for (const [room, at] of [['a', 0], ['a', 1], ['a', 2], ['b', 3], ['ab', 1]]) await DataStore.save(new Event({ room, at }));
    const plan = await DataStore.explain(Inventory, (i) => i.productID.eq('p1'));
    equal(`${plan.index || '(key)'} ${plan.access}`, '(key) range', 'eq on the first field of a composite key: a range over the arrays');
    deepEqual((await DataStore.query(Inventory, (i) => i.productID.eq('p1'))).map((i) => i.warehouseID), ['w1', 'w2'], 'the prefix range holds exactly that product');
    equal((await DataStore.query(Inventory, { productID: 'p2', warehouseID: 'w1' })).quantity, 3, 'by the whole composite key');
    const ranged = (e) => e.and((e) => [e.room.eq('a'), e.at.gt(0)]);
    equal((await DataStore.explain(Event, ranged)).access, 'range', 'eq on the index field, range on its sort key');
    deepEqual((await DataStore.query(Event, ranged)).map((e) => e.at), [1, 2], 'room a after 0');
    // The same query again reads by the plan kept from the first, and
    // finds what was saved since.
    await DataStore.save(new Event({ room: 'a', at: 5 }));
    deepEqual((await DataStore.query(Event, ranged)).map((e) => e.at), [1, 2, 5], 'the same query again sees the new record');
    deepEqual((await DataStore.query(Event, ranged, { sort: (s) => s.at('DESCENDING'), limit: 2 })).map((e) => e.at), [5, 2], 'and with a sort and a limit, its own plan');
    await rejects(() => DataStore.delete(Inventory, 'p1'), /^Models with composite primary keys cannot be deleted by a single key value/, 'a composite key needs its fields');
    const removed = await DataStore.delete(Inventory, { productID: 'p1', warehouseID: 'w2' });
    deepEqual(removed.map((i) => i.quantity), [2], 'delete by a composite key object');
    const one = await DataStore.query(Inventory, { productID: 'p1', warehouseID: 'w1' });
    await rejects(() => DataStore.delete(one, (i) => i.quantity.gt(5)), 'Conditional update failed', 'a conditional delete that fails');
    await DataStore.delete(one, (i) => i.quantity.eq(1));
    deepEqual((await DataStore.query(Inventory)).map((i) => i.productID), ['p2', 'p10'], 'a conditional delete that holds');
    const other = lib.createDataStore({ schema: sdl, databaseName: uniqueName('other') });
    await rejects(() => DataStore.save(new other.models.Inventory({ productID: 'x', warehouseID: 'y', quantity: 1 })), 'Object is not an instance of a valid model', 'an instance of another schema');
    await rejects(() => DataStore.delete(new other.models.Inventory({ productID: 'x', warehouseID: 'y', quantity: 1 })), 'Object is not an instance of a valid model', 'deleting an instance of another schema');
  });
}

// A marker save: once its message arrives, every message of the writes
// before it has arrived too (messages come in write order).
async function fence(DataStore, Model, init, seen, count) {
  await DataStore.save(new Model(init));
  return seen.until(count);
}

async function observeForms(lib) {
  const sdl = `type Post @model { id: ID! title: String! rating: Int! comments: [Comment] @hasMany }
type Comment @model { id: ID! content: String post: Post @belongsTo }
type Inventory @model { productID: ID! @primaryKey(sortKeyFields: ["warehouseID"]) warehouseID: ID! quantity: Int! }`;
  return withStore(lib, sdl, 'observe', async (DataStore, { Post, Comment, Inventory }) => {
    const all = collect(DataStore.observe());
    const posts = collect(DataStore.observe(Post));
    const high = collect(DataStore.observe(Post, (p) => p.rating.gt(3)));
    const a = await DataStore.save(new Post({ title: 'a', rating: 5 }));
    const one = collect(DataStore.observe(Post, a.id));
    const sameRecord = collect(DataStore.observe(a));
    const onA = collect(DataStore.observe(Comment, (c) => c.post.title.eq('a')));
    const inv = await DataStore.save(new Inventory({ productID: 'p', warehouseID: 'w', quantity: 1 }));
    const invSeen = collect(DataStore.observe(inv));
    await DataStore.save(new Inventory({ productID: 'p', warehouseID: 'other', quantity: 1 }));
    await DataStore.save(Inventory.copyOf(inv, (d) => { d.quantity = 2; }));
    const b = await DataStore.save(new Post({ title: 'b', rating: 1 }));
    await DataStore.save(a); // unchanged: no message
    await DataStore.save(Post.copyOf(a, (d) => { d.rating = 4; }));
    await DataStore.save(new Comment({ content: 'on a', post: a }));
    await DataStore.save(new Comment({ content: 'on b', post: b }));
    await fence(DataStore, Comment, { content: 'fence', post: a }, onA, 2);
    await DataStore.delete(b);
    await posts.until(4);
    deepEqual(posts.messages.map((m) => `${m.opType} ${m.element.title}`), ['INSERT a', 'INSERT b', 'UPDATE a', 'DELETE b'], 'observe(Post): one message per write, none for an unchanged save');
    deepEqual(high.messages.map((m) => `${m.opType} ${m.element.rating}`), ['INSERT 5', 'UPDATE 4'], 'observe(Post, predicate)');
    deepEqual(one.messages.map((m) => m.opType), ['UPDATE'], 'observe(Post, id)');
    deepEqual(sameRecord.messages.map((m) => m.opType), ['UPDATE'], 'observe(instance)');
    deepEqual(invSeen.messages.map((m) => `${m.opType} ${m.element.warehouseID} ${m.element.quantity}`), ['UPDATE w 2'], 'observe(instance) of a composite key: that record only');
    deepEqual(onA.messages.map((m) => m.element.content), ['on a', 'fence'], 'observe with a condition on the related post');
    ok(all.messages.length >= 9 && all.messages.some((m) => m.model === Inventory), 'observe() sees every model');
    const update = posts.messages[2];
    ok(Object.isFrozen(update.element) && update.element instanceof Post && update.model === Post, 'elements are frozen instances; model is the class');
    throws(() => DataStore.observe(Post, { id: a.id }), 'Object literal syntax cannot be used with observe. Use a predicate instead: https://docs.amplify.aws/lib/datastore/data-access/q/platform/js/#predicates', 'object literal criteria');
    throws(() => DataStore.observe(undefined, (p) => p.title.eq('x')), 'Cannot provide criteria without a modelConstructor', 'criteria without a model');
    throws(() => DataStore.observe({}), 'The model is not an instance of a PersistentModelConstructor', 'not a model');
    for (const sub of [all, posts, high, one, sameRecord, onA, invSeen]) sub.subscription.unsubscribe();
  });
}

async function observeQuerySnapshots(lib) {
  const sdl = 'type Task @model { id: ID! title: String! rank: Int! }';
  return withStore(lib, sdl, 'observeQuery', async (DataStore, { Task }) => {
    await DataStore.save(new Task({ title: 'first', rank: 5 }));
    const snaps = collect(DataStore.observeQuery(Task, (t) => t.rank.ge(3), { sort: (s) => s.rank('DESCENDING'), interval: 20 }));
    const [first] = await snaps.until(1);
    deepEqual([first.items.map((t) => t.title), first.isSynced], [['first'], false], 'the first snapshot comes at once');
    for (let i = 0; i < 200; i++) await DataStore.save(new Task({ title: `t${i}`, rank: i % 10 }));
    const last = await new Promise((resolve) => {
      const check = () => {
        const s = snaps.messages[snaps.messages.length - 1];
        if (s.items.length === 1 + 140) resolve(s);
        else snaps.until(snaps.messages.length + 1).then(check);
      };
      check();
    });
    ok(snaps.messages.length <= 1 + 200 / 2, `200 saves make few snapshots, not 200 (got ${snaps.messages.length})`);
    ok(last.items.every((t, i, list) => i === 0 || list[i - 1].rank >= t.rank), 'every snapshot is sorted');
    const top = last.items[0];
    await DataStore.save(Task.copyOf(top, (d) => { d.rank = 0; }));
    const after = await snaps.until(snaps.messages.length + 1).then((m) => m[m.length - 1]);
    ok(!after.items.some((t) => t.id === top.id), 'a record leaves when it stops matching');
    snaps.subscription.unsubscribe();

    const limited = collect(DataStore.observeQuery(Task, lib.Predicates.ALL, { sort: (s) => s.rank('ASCENDING'), limit: 3, interval: 10 }));
    const [page] = await limited.until(1);
    deepEqual(page.items.map((t) => t.rank), [0, 0, 0], 'limit is honoured');
    limited.subscription.unsubscribe();
  });
}

async function lifecycle(lib) {
  const sdl = 'type Note @model { id: ID! text: String! }';
  const { DataStore, models: { Note } } = lib.createDataStore({ schema: sdl, databaseName: uniqueName('lifecycle') });
  const events = collect(DataStore.events);
  await DataStore.start();
  await events.until(1);
  deepEqual([events.messages[0].type, events.messages[0].created], ['ready', true], 'ready, the database created');
  const seen = collect(DataStore.observe(Note));
  const snaps = collect(DataStore.observeQuery(Note, undefined, { interval: 10 }));
  await snaps.until(1);
  await DataStore.save(new Note({ text: 'kept' }));
  await seen.until(1);
  const stopping = DataStore.stop();
  await rejects(() => DataStore.query(Note), /^DataStoreStateError: Tried to execute `DataStore\.query\(\)` while DataStore was "Stopping"\./, 'a call during stop()');
  await stopping;
  await DataStore.save(new Note({ text: 'after stop' })); // restarts
  deepEqual((await DataStore.query(Note)).map((n) => n.text), ['kept', 'after stop'], 'stop() keeps the data; the next call restarts');
  equal(seen.messages.length, 1, 'stop() ended the observe subscription');
  const clearing = DataStore.clear();
  await rejects(() => DataStore.save(new Note({ text: 'x' })), /^DataStoreStateError: Tried to execute `DataStore\.save\(\)` while DataStore was "Clearing"\./, 'a call during clear()');
  await clearing;
  deepEqual(await DataStore.query(Note), [], 'clear() deletes the data');
  ok(['stopped', 'cleared'].every((t) => events.messages.some((e) => e.type === t)), 'stopped and cleared events');
  await DataStore.clear();
}

async function writes(lib) {
  const sdl = `type Post @model { id: ID! title: String! comments: [Comment] @hasMany(onDelete: "restrict") notes: [Note] @hasMany(onDelete: "setNull") author: Author @hasOne }
type Comment @model { id: ID! content: String post: Post @belongsTo }
type Note @model { id: ID! text: String post: Post @belongsTo }
type Author @model { id: ID! name: String! }`;
  await rejects(async () => lib.createDataStore({ schema: sdl, databaseName: uniqueName('nooutbox') }).DataStore.outbox.read(), /^The outbox is off/, 'the outbox is off unless asked for');
  const { DataStore, models: { Post, Comment, Note, Author } } = lib.createDataStore({ schema: sdl, databaseName: uniqueName('writes'), outbox: true });
  try {
    return await writesWith(DataStore, Post, Comment, Note, Author);
  } finally {
    await DataStore.clear();
  }
}

async function writesWith(DataStore, Post, Comment, Note, Author) {
  {
    const seen = collect(DataStore.observe());
    const [ann, post] = await DataStore.save([new Author({ name: 'Ann' }), new Post({ title: 'p' })]);
    const withAuthor = await DataStore.save(Post.copyOf(post, (d) => { d.author = ann; }));
    const results = await DataStore.batch((b) => {
      b.save(new Comment({ content: 'c', post: withAuthor }));
      b.save(new Note({ text: 'n', post: withAuthor }));
    });
    deepEqual(results.map((r) => r.constructor.name), ['Comment', 'Note'], 'batch resolves with one result per operation');
    await rejects(() => DataStore.batch((b) => { b.save(new Post({ title: 'x' })); b.save(new Comment({ content: 'orphan', postCommentsId: 'missing' })); }),
      /^Data integrity error\. You tried to save a Comment/, 'a failing operation fails the batch');
    deepEqual((await DataStore.query(Post)).map((p) => p.title), ['p'], 'and nothing of it is written');
    await rejects(() => DataStore.delete(withAuthor), /^Cannot delete the Post: its comments restrict the delete \(onDelete: restrict\); delete or move them first \(Comment "/, 'restrict names the blocking records');
    await DataStore.delete(results[0]);
    await DataStore.delete(ann); // a has-one target: the post's key is cleared
    deepEqual([(await DataStore.query(Post, post.id)).postAuthorId, (await DataStore.query(Author)).length], [null, 0], 'deleting the has-one target clears the source key');
    await DataStore.delete(withAuthor);
    deepEqual((await DataStore.query(Note)).map((n) => [n.text, n.postNotesId]), [['n', null]], 'setNull keeps the note and clears its key');
    const entries = await DataStore.outbox.read();
    deepEqual(entries.map((e) => `${e.opType} ${e.model}`), ['INSERT Author', 'INSERT Post', 'UPDATE Post', 'INSERT Comment', 'INSERT Note', 'DELETE Comment', 'DELETE Author', 'UPDATE Post', 'DELETE Post', 'UPDATE Note'],
      'the outbox holds every mutation in order, cascaded ones included, and nothing of the failed batch');
    ok(entries.every((e, i) => i === 0 || e.order > entries[i - 1].order) && typeof entries[0].time === 'number', 'entries are ordered and timed');
    equal((await DataStore.outbox.drain({ limit: 4 })).length, 4, 'drain takes the first entries');
    equal((await DataStore.outbox.read()).length, 6, 'and removes them');
    // A new instance with a stored record's key: the entry written with the
    // add is corrected to an UPDATE; an unchanged one leaves no entry.
    const note = (await DataStore.query(Note))[0];
    await DataStore.save(new Note({ id: note.id, text: 'n2', postNotesId: null }));
    await DataStore.save(new Note({ id: note.id, text: 'n2', postNotesId: null }));
    deepEqual((await DataStore.outbox.read()).slice(6).map((e) => `${e.opType} ${e.model} ${e.element.text}`), ['UPDATE Note n2'], 'a fresh save of a taken key is recorded as an UPDATE');
    await seen.until(10);
    deepEqual(seen.messages.slice(6, 10).map((m) => `${m.opType} ${m.model.name}`), ['DELETE Author', 'UPDATE Post', 'DELETE Post', 'UPDATE Note'], 'messages for the cleared keys');
    seen.subscription.unsubscribe();
    // A batch of new instances, some with stored records' keys, the last
    // one among them: a changed one is an update, an unchanged one no
    // write, and the others inserts.
    const [b1, b2] = await DataStore.save([new Note({ text: 'b1', postNotesId: null }), new Note({ text: 'b2', postNotesId: null })]);
    const mixed = await DataStore.save([new Note({ id: b1.id, text: 'b1x', postNotesId: null }), new Note({ text: 'b3', postNotesId: null }), new Note({ id: b2.id, text: 'b2', postNotesId: null })]);
    deepEqual(mixed.map((n) => n.text), ['b1x', 'b3', 'b2'], 'a batch with taken keys resolves with every record');
    deepEqual((await DataStore.outbox.read()).slice(7).map((e) => `${e.opType} ${e.element.text}`), ['INSERT b1', 'INSERT b2', 'UPDATE b1x', 'INSERT b3'],
      'taken keys of a batch are updates, an unchanged one no entry');
    deepEqual((await DataStore.query(Note)).map((n) => n.text).sort(), ['b1x', 'b2', 'b3', 'n2'], 'and storage holds each record once');
  }
}

// Schema changes keep the data: each version opens the same database, after
// the one before has written records and stopped.
async function migrations(lib) {
  const name = uniqueName('migrations');
  const open = async (schema, options = {}) => {
    const ds = lib.createDataStore({ schema, databaseName: name, ...options });
    return ds;
  };
  const storeNames = () => new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => { const names = [...req.result.objectStoreNames].sort(); req.result.close(); resolve(names); };
    req.onerror = () => reject(req.error);
  });
  const v1 = 'type Post @model { id: ID! title: String! rating: Int! } type Draft @model { id: ID! text: String }';
  let { DataStore, models } = await open(v1);
  await DataStore.save([new models.Post({ title: 'a', rating: 1 }), new models.Post({ title: 'b', rating: 5 }), new models.Draft({ text: 'd' })]);
  await DataStore.stop();

  // A new model, a new @index, a new optional field; Draft removed.
  const v2 = 'type Post @model { id: ID! title: String! rating: Int! @index(name: "byRating") note: String } type Tag @model { id: ID! label: String! }';
  ({ DataStore, models } = await open(v2));
  const events = collect(DataStore.events);
  const posts = await DataStore.query(models.Post, (p) => p.rating.gt(2));
  deepEqual(posts.map((p) => [p.title, p.note]), [['b', null]], 'old records are kept, found through the new index, and the new optional field reads null');
  equal((await DataStore.explain(models.Post, (p) => p.rating.gt(2))).index, 'rating', 'the new index is built over the old records');
  await DataStore.save(new models.Tag({ label: 't' }));
  equal((await DataStore.query(models.Tag)).length, 1, 'the new model has its store');
  ok(events.messages.some((e) => e.type === 'schemaUpgraded'), 'a schemaUpgraded event');
  await DataStore.stop();
  deepEqual((await storeNames()).filter((n) => !n.startsWith('__')), ['Post', 'Tag'], 'the removed model\'s store is dropped');

  // A new required field: refused without a migration, filled with one.
  const v3 = v2.replace('note: String', 'note: String category: String!');
  ({ DataStore, models } = await open(v3));
  await rejects(() => DataStore.query(models.Post), 'Post.category is new and required, and 2 stored records have no value for it: pass a migration, as createDataStore({ schema, migrations: { Post: (record) => ({ ...record, category: ... }) } }), or make the field optional', 'a new required field without a migration');
  ({ DataStore, models } = await open(v3, { migrations: { Post: (r) => ({ ...r, category: r.rating > 2 ? 'top' : 'rest' }) } }));
  deepEqual((await DataStore.query(models.Post)).map((p) => `${p.title} ${p.category}`), ['a rest', 'b top'], 'the migration filled every record');
  await DataStore.stop();

  // A changed primary key: refused, and the records stay.
  const v4 = 'type Post @model { title: String! @primaryKey rating: Int! category: String! } type Tag @model { id: ID! label: String! }';
  ({ DataStore, models } = await open(v4));
  await rejects(() => DataStore.query(models.Post), /^storage: open in Post: the primary key of a store changed \(from \(id\) to \(title\)/, 'a changed primary key names the model and its fields');
  ({ DataStore, models } = await open(v3));
  equal((await DataStore.query(models.Post)).length, 2, 'the refused upgrade kept the records');
  await DataStore.stop();
  // With a migration, the store is rekeyed in the upgrade.
  ({ DataStore, models } = await open(v4, { migrations: { Post: (r) => ({ ...r, title: r.title.toUpperCase() }) } }));
  deepEqual((await DataStore.query(models.Post)).map((p) => p.title).sort(), ['A', 'B'], 'a changed primary key with a migration: every record, under its new key');
  equal((await DataStore.query(models.Post, 'B')).category, 'top', 'found by the new key');
  await DataStore.clear();
}

async function nonModels(lib) {
  const sdl = 'type Address { street: String! city: String } type Profile @model { id: ID! name: String! address: Address addresses: [Address] }';
  return withStore(lib, sdl, 'nonmodel', async (DataStore, { Profile, Address }) => {
    const a = new Address({ street: 'Main' });
    deepEqual([Object.keys(a), Object.isFrozen(a), a instanceof Address], [['street'], true, true], 'a non-model instance: the fields given, frozen (SPEC 2.6)');
    throws(() => new Address({ street: 5 }), 'Field street should be of type string, number received. 5', 'non-model constructors validate (SPEC 2.6)');
    throws(() => new Profile({ name: 'x', address: { city: 'c' } }), 'Field street is required', 'embedded values are validated with their omitted required fields (SPEC 2.4)');
    const saved = await DataStore.save(new Profile({ name: 'n', address: a, addresses: [a] }));
    deepEqual([saved.address.street, saved.addresses.length, Object.isFrozen(saved.address)], ['Main', 1, true], 'embedded values round-trip as frozen plain objects');
  });
}

/** What compat.mjs's scenarios use of this module. */
const kit = Object.freeze({ withStore, uniqueName, ok, equal, deepEqual, throws, rejects, collect, show });

/**
 * The scenarios, in run order. A scenario may carry knownBug: the SPEC's
 * behaviour the product lacks; its test then runs as a todo.
 */
export const scenarios = Object.freeze([
  { name: 'issue flow: save, relations, observe, cascade delete', run: issueFlow },
  { name: 'recursive cascade: Blog → Post → Comment in one delete', run: recursiveCascade },
  { name: 'planDelete reports the delete\'s own walk; DataStore.schema describes the schema', run: planDeleteAndSchema },
  { name: 'copyOf + save emits UPDATE', run: copyOfUpdate },
  { name: 'validation and usage errors (exact Amplify messages)', run: validationErrors },
  { name: 'belongs-to integrity error', run: integrityError },
  { name: 'schema errors name type, field and line', run: badSchema },
  { name: 'a panic in Go rejects and the engine keeps working', run: panicRecovery },
  { name: 'initSchema and the default DataStore', run: defaultInstance },
  { name: 'constructed instances: as Go made them, saved by ticket or from their values', run: constructedInstances },
  { name: 'conditions on related models and eager include', run: relatedConditions },
  { name: 'explain: every operator class uses an index where one serves', run: indexUse },
  { name: 'composite keys and sort keys are read as key ranges', run: compositeKeys },
  { name: 'observe: all, a model, a record, a predicate, a related condition', run: observeForms },
  { name: 'observeQuery: batched, sorted, filtered snapshots, and limit', run: observeQuerySnapshots },
  { name: 'lifecycle: start, stop, clear, state errors, events', run: lifecycle },
  { name: 'writes: batches, policies, has-one targets, the outbox', run: writes },
  { name: 'schema changes: migrations keep the data', run: migrations },
  { name: 'non-model types: validated constructors, embedded values', run: nonModels },
  { name: 'records come back in order of first insertion', run: insertionOrder },
  { name: 'a given null for a required field throws at construction', run: requiredNullAtConstruction },
  { name: 'INSERT is delivered after save() resolves', run: insertAfterSave },
  { name: 'DELETE condition of delete(instance) has Amplify\'s shape', run: deleteConditionShape },
  { name: 'group commit: un-awaited saves share a transaction, each settles on its own', run: groupCommit },
  ...compatScenarios.map((s) => ({ name: s.name, run: (lib) => s.run(lib, kit) })),
].map(Object.freeze));

/**
 * Runs the scenarios (all, or those named in `only`) one after another
 * against the package exports `lib`. Resolves with one result per
 * scenario: {name, ok, knownBug, details} or {name, ok: false, knownBug,
 * message, stack}. It never rejects for a failed scenario.
 */
export async function runFlow(lib, { only } = {}) {
  if (!lib || typeof lib.createDataStore !== 'function' || typeof lib.initSchema !== 'function') {
    throw new TypeError('runFlow(lib): pass the exports of datastore-wasm (createDataStore, initSchema, DataStore, ...)');
  }
  const chosen = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  if (only && chosen.length !== only.length) {
    throw new Error(`runFlow: unknown scenario in ${show(only)}`);
  }
  const results = [];
  for (const s of chosen) {
    const base = { name: s.name, knownBug: s.knownBug || null };
    try {
      const details = await s.run(lib);
      results.push({ ...base, ok: true, details: details === undefined ? null : details });
    } catch (err) {
      results.push({
        ...base,
        ok: false,
        message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        stack: err instanceof Error ? String(err.stack) : '',
      });
    }
  }
  return results;
}
