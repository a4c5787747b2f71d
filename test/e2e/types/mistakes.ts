// Typical mistakes, each a compile error: the line after each `// error`
// comment must fail with that code, and nothing else may fail.
import { DataStore } from 'datastore-wasm';
import { Book, Comment, Post, PostStatus } from './models.js';

export async function mistakes(post: Post): Promise<void> {
  // error TS2353|TS2561: unknown field in a constructor
  new Post({ title: 'x', rating: 1, status: PostStatus.ACTIVE, titel: 'typo' });
  // error TS2322: wrong type for a field
  new Post({ title: 'x', rating: '5', status: PostStatus.ACTIVE });
  // error TS2345: missing required field (rating)
  new Post({ title: 'x', status: PostStatus.ACTIVE });
  // error TS2345: missing required list (authors: [String]!)
  new Book({ isbn: '1', edition: 1 });
  // error TS2322: a value that is not in the enum
  new Post({ title: 'x', rating: 1, status: 'DRAFT' });
  // error TS2339: an operator that does not fit the field's type (number)
  await DataStore.query(Post, (p) => p.rating.beginsWith('1'));
  // error TS2345: a wrong value type in a predicate
  await DataStore.query(Post, (p) => p.rating.gt('3'));
  // error TS2339|TS2551: an unknown field in a predicate
  await DataStore.query(Post, (p) => p.titel.eq('x'));
  // error TS2551: a typo in a copyOf draft
  Post.copyOf(post, (d) => { d.titel = 'x'; });
  // error TS2339: changing the key in a copyOf draft
  Post.copyOf(post, (d) => { d.id = 'other'; });
  // error TS2322: a wrong type in a copyOf draft
  Post.copyOf(post, (d) => { d.rating = 'many'; });
  // error TS2339|TS2551: an unknown sort field
  await DataStore.query(Post, null, { sort: (s) => s.titel() });
  // error TS2339: a belongs-to relation is a Promise, to await
  (await DataStore.query(Comment)).map((c) => c.post.content);
  // error TS2339: a lazy relation must be awaited
  post.comments.length;
  // error TS2322|TS2739: a relation of the wrong model
  new Comment({ content: 'x', post: new Comment({}) });
}
