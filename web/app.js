// The demo page. What it shows is built only from DataStore.observe messages:
// the buttons write through the DataStore API and never touch the list, so
// whatever appears (or disappears, as with a post's comments) is what the
// store reported.
import { DataStore, initSchema, OpType } from '/dist/index.js';

const sdl = `
enum PostStatus { ACTIVE INACTIVE }
type Post @model {
  id: ID!
  title: String!
  rating: Int!
  status: PostStatus!
  comments: [Comment] @hasMany(indexName: "byPost", fields: ["id"])
}
type Comment @model {
  id: ID!
  postID: ID! @index(name: "byPost")
  content: String!
  post: Post @belongsTo(fields: ["postID"])
}`;

const { Post, Comment, PostStatus } = initSchema(sdl);

// For end-to-end tests and the console: the same classes the page uses.
window.demo = { DataStore, Post, Comment, PostStatus };

const $ = (selector, root = document) => root.querySelector(selector);
const LOG_SIZE = 10;

// The page's copy of the store, in the order records first appeared.
const posts = new Map();          // post id → Post
const commentsByPost = new Map(); // post id → Map(comment id → Comment)
const postOfComment = new Map();  // comment id → post id, to move or drop a comment
const log = [];                   // the last LOG_SIZE messages, oldest first

// ---- applying observe messages ----

function apply({ model, opType, element }) {
  if (model.name === 'Post') {
    if (opType === OpType.DELETE) {
      posts.delete(element.id);
    } else {
      posts.set(element.id, element);
    }
  } else if (model.name === 'Comment') {
    commentsByPost.get(postOfComment.get(element.id))?.delete(element.id);
    postOfComment.delete(element.id);
    if (opType !== OpType.DELETE) putComment(element);
  }
}

function putComment(comment) {
  if (!commentsByPost.has(comment.postID)) commentsByPost.set(comment.postID, new Map());
  commentsByPost.get(comment.postID).set(comment.id, comment);
  postOfComment.set(comment.id, comment.postID);
}

function record(msg) {
  log.push(`${msg.opType} ${msg.model.name} ${msg.element.id}`);
  if (log.length > LOG_SIZE) log.shift();
}

// ---- rendering ----

let loaded = false;       // no highlight for what was already stored
let renderPending = false;

// A cascade delivers several messages at once; draw once for all of them.
function scheduleRender() {
  if (renderPending) return;
  renderPending = true;
  queueMicrotask(() => {
    renderPending = false;
    render();
  });
}

const postNodes = new Map();

function render() {
  reconcile($('#posts'), posts, postNodes, createPost, updatePost);
  $('#empty').hidden = posts.size > 0;
  $('#log').replaceChildren(...log.map((text) => {
    const li = document.createElement('li');
    li.textContent = li.title = text;
    li.className = text.split(' ', 1)[0].toLowerCase();
    return li;
  }));
}

// reconcile makes container's children show items (a Map of id → value) in
// order, reusing the node of each id so that focus and half-typed comments
// survive a re-render.
function reconcile(container, items, nodes, create, update) {
  for (const [id, node] of nodes) {
    if (!items.has(id)) {
      node.remove();
      nodes.delete(id);
    }
  }
  let i = 0;
  for (const [id, value] of items) {
    let node = nodes.get(id);
    if (!node) {
      node = create(id);
      if (loaded) {
        node.classList.add('fresh');
        node.addEventListener('animationend', () => node.classList.remove('fresh'), { once: true });
      }
      nodes.set(id, node);
    }
    update(node, value);
    const at = container.children[i] ?? null;
    if (at !== node) container.insertBefore(node, at);
    i++;
  }
}

function createPost(id) {
  const node = $('#post-template').content.firstElementChild.cloneNode(true);
  node.dataset.id = id;
  node.commentNodes = new Map();
  return node;
}

function updatePost(node, post) {
  node.dataset.rating = post.rating;
  node.dataset.status = post.status;
  $('.title', node).textContent = post.title;
  const rating = $('.rating', node);
  rating.textContent = '★'.repeat(post.rating) + '☆'.repeat(Math.max(0, 5 - post.rating));
  rating.title = `Rated ${post.rating} of 5`;
  const badge = $('.badge', node);
  badge.textContent = post.status;
  badge.classList.toggle('inactive', post.status === PostStatus.INACTIVE);
  $('[data-testid=toggle-status]', node).textContent =
    post.status === PostStatus.ACTIVE ? 'Mark inactive' : 'Mark active';
  const comments = commentsByPost.get(post.id) ?? new Map();
  reconcile($('.comments', node), comments, node.commentNodes, createComment, updateComment);
}

function createComment(id) {
  const li = document.createElement('li');
  li.dataset.testid = 'comment';
  li.dataset.id = id;
  return li;
}

function updateComment(li, comment) {
  li.textContent = comment.content;
}

// ---- errors ----

// InputError is a mistake in the form, caught before DataStore sees it; it
// needs no stack trace in the console.
class InputError extends Error {}

function showError(error) {
  if (!(error instanceof InputError)) console.error(error);
  const el = $('#error');
  el.textContent = error instanceof Error ? error.message : String(error);
  el.hidden = false;
}

function clearError() {
  $('#error').hidden = true;
  $('#error').textContent = '';
}

// run performs one user action, showing what went wrong instead of failing silently.
async function run(action) {
  clearError();
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

// ---- user actions: they only write; observe messages redraw the page ----

async function addPost() {
  const title = $('#post-title').value.trim();
  if (!title) {
    $('#post-title').focus();
    throw new InputError('Give the post a title first.');
  }
  await DataStore.save(new Post({
    title,
    rating: Number($('#post-rating').value),
    status: PostStatus[$('#post-status').value],
  }));
  $('#post-title').value = '';
  $('#post-title').focus();
}

async function addComment(postID, input) {
  const content = input.value.trim();
  if (!content) {
    input.focus();
    throw new InputError('Write something before commenting.');
  }
  await DataStore.save(new Comment({ content, postID }));
  input.value = '';
}

async function toggleStatus(id) {
  const post = posts.get(id);
  if (!post) return;
  await DataStore.save(Post.copyOf(post, (draft) => {
    draft.status = post.status === PostStatus.ACTIVE ? PostStatus.INACTIVE : PostStatus.ACTIVE;
  }));
}

async function deletePost(id) {
  const post = posts.get(id);
  if (post) await DataStore.delete(post); // its comments go in the same transaction
}

$('#post-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(addPost);
});

$('#posts').addEventListener('submit', (event) => {
  event.preventDefault();
  const id = event.target.closest('[data-testid=post]').dataset.id;
  run(() => addComment(id, $('[data-testid=comment-input]', event.target)));
});

$('#posts').addEventListener('click', (event) => {
  const button = event.target.closest('button[data-testid]');
  if (!button || button.type === 'submit') return;
  const id = button.closest('[data-testid=post]').dataset.id;
  if (button.dataset.testid === 'delete-post') run(() => deletePost(id));
  if (button.dataset.testid === 'toggle-status') run(() => toggleStatus(id));
});

addEventListener('unhandledrejection', (event) => showError(event.reason));

// ---- start ----

async function start() {
  // Subscribe before the first query so that nothing written in between is missed.
  DataStore.observe().subscribe((msg) => {
    record(msg);
    apply(msg);
    scheduleRender();
  });

  const firstPosts = await DataStore.query(Post);
  const elapsed = performance.now();
  const firstComments = await DataStore.query(Comment);
  // A message that arrived while the queries ran is at least as new as their result.
  for (const post of firstPosts) if (!posts.has(post.id)) posts.set(post.id, post);
  for (const comment of firstComments) if (!postOfComment.has(comment.id)) putComment(comment);
  render();
  loaded = true;

  $('#timing').textContent = `first query resolved ${Math.round(elapsed)} ms after page load`;
  for (const control of $('#post-form').elements) control.disabled = false;
  $('#ready').textContent = 'ready';
  $('#post-title').focus();
}

run(start).then(() => {
  if ($('#ready').textContent !== 'ready') $('#ready').textContent = 'failed';
});
