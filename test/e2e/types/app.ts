// A typical app over generated models: everything here must compile under
// tsc --strict without skipLibCheck.
import { DataStore, Predicates, SortDirection, createDataStore } from 'datastore-wasm';
import { useLiveQuery, useQuery } from 'datastore-wasm/react';
import { Book, Comment, Label, Location, Post, PostLabel, PostStatus, schema, type Schema } from './models.js';

export async function run(): Promise<string[]> {
  const post = await DataStore.save(new Post({ title: 'Hello', rating: 5, status: PostStatus.ACTIVE, tags: ['a'], where: new Location({ lat: 1, lng: 2 }) }));
  const literal: Post = await DataStore.save(new Post({ title: 'Literal', rating: 1, status: 'INACTIVE', meta: '{"a":1}' }));
  await DataStore.save(new Comment({ content: 'Nice', post }));
  await DataStore.save(new Comment({ postCommentsId: post.id }));
  await DataStore.save(new Book({ isbn: '978', edition: 2, authors: ['Ann'] }));
  const label = await DataStore.save(new Label({ name: 'news' }));
  await DataStore.save(new PostLabel({ post, label }));

  const found: Post | undefined = await DataStore.query(Post, post.id);
  const book: Book | undefined = await DataStore.query(Book, { isbn: '978', edition: 2 });
  const good: Post[] = await DataStore.query(Post, (p) => p.and((p) => [p.rating.gt(3), p.title.beginsWith('H'), p.status.eq(PostStatus.ACTIVE)]), {
    sort: (s) => s.rating(SortDirection.DESCENDING).title(),
    limit: 10,
    include: (p) => [p.comments, p.labels.label],
  });
  const all: Post[] = await DataStore.query(Post, Predicates.ALL);
  const byTag = await DataStore.query(Post, (p) => p.tags.contains('a'));
  const viaRelation: Comment[] = await DataStore.query(Comment, (c) => c.post.title.eq('Hello'));
  const orNot = await DataStore.query(Post, (p) => p.or((p) => [p.rating.between(1, 3), p.not((p) => p.title.in(['x', 'y']))]));

  const comments: Comment[] = await post.comments.toArray();
  const parent: Post | undefined = await comments[0]!.post;
  const parentKey: string | undefined = comments[0]!.post.id;
  const edited: Post = Post.copyOf(post, (draft) => {
    draft.title = 'Edited';
    draft.rating += 1;
    draft.where = null;
  });
  await DataStore.save(edited);

  const sub = DataStore.observe(Post).subscribe(({ opType, element }) => console.log(opType, element.title));
  sub.unsubscribe();
  const live = DataStore.observeQuery(Comment, (c) => c.postCommentsId.eq(post.id), { interval: 0 }).subscribe(({ items }) => items.map((c) => c.content));
  live.unsubscribe();
  const plan = await DataStore.explain(Comment, (c) => c.postCommentsId.eq(post.id));
  await DataStore.delete(Post, (p) => p.rating.lt(0));
  await DataStore.delete(edited);
  const dry = await DataStore.planDelete(edited);
  const dryRoots: readonly Post[] = dry.roots;
  const blockers: string[] = dry.blocked.map((e) => `${e.model} via ${e.via ?? 'root'}`);
  const cleared: readonly string[] = dry.updated[0]?.fields ?? [];
  const policy: 'cascade' | 'setNull' | 'restrict' | null | undefined = DataStore.schema?.models.Post?.relations[0]?.onDelete;
  const implied: boolean | undefined = DataStore.schema?.models.Comment?.fields.some((f) => f.name === 'postCommentsId' && !f.isRequired);
  console.log(dryRoots, blockers, cleared, policy, implied, dry.ok);
  await DataStore.batch((b) => { b.save(post); b.delete(Comment, Predicates.ALL); });

  const other = createDataStore<Schema>({ schema, databaseName: 'other' });
  const drafts: Post[] = await other.DataStore.query(other.models.Post, (p) => p.rating.ge(1));
  const fromURL = await createDataStore<Schema>({ schema, databaseName: 'url', wasmURL: '/assets/datastore.wasm' });
  await fromURL.DataStore.query(fromURL.models.Book);

  return [literal.title, found?.title ?? '', book?.isbn ?? '', String(good.length + all.length + byTag.length + viaRelation.length + orNot.length + drafts.length), parent?.id ?? '', parentKey ?? '', plan.access];
}

// Untyped: a schema given at run time, its classes loosely typed.
export async function untyped(): Promise<number> {
  const { DataStore: loose, models } = createDataStore({ schema: 'type Todo @model { id: ID! name: String! }', databaseName: 'loose' });
  const todo = await loose.save(new models.Todo({ name: 'x' }));
  const found = await loose.query(models.Todo, (t) => t.name.eq('x'));
  const copy = models.Todo.copyOf(todo, (d: { name: string }) => { d.name = 'y'; });
  return found.length + (copy ? 1 : 0);
}

// Hooks: data is typed by the model.
export function useTitles(min: number): string[] {
  const { data, loading, error } = useLiveQuery(Post, (p) => p.rating.ge(min), { deps: [min], sort: (s) => s.title() });
  const one = useQuery(Post, 'some-id');
  if (loading || error) return [];
  return [...(data ?? []).map((p) => p.title), one.data?.title ?? ''];
}
