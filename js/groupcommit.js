// Group commit: saves issued in the same turn of the event loop (as
// Promise.all of un-awaited saves issues them) share one read-write
// transaction instead of paying one each. Each save's promise still
// settles on its own: it resolves once the shared transaction has
// committed (the same durability as a save alone), and when the shared
// transaction fails, each save runs again alone, so that a failure
// rejects only the promise of the save that caused it.

/**
 * Coalesces operations added in one turn: run(ops) carries a group of two
 * or more in one transaction and resolves with one result per op, in
 * order; one(op) carries a single op.
 */
export class GroupCommit {
  constructor(one, run) {
    this._one = one;
    this._run = run;
    this._queue = null;
  }

  /** Adds op to the current group; resolves with its own result. */
  add(op) {
    return new Promise((resolve, reject) => {
      if (!this._queue) {
        this._queue = [];
        // A microtask, not a timer: a save alone waits for nothing.
        queueMicrotask(() => this._flush());
      }
      this._queue.push({ op, resolve, reject });
    });
  }

  _flush() {
    const group = this._queue;
    this._queue = null;
    if (group.length === 1) {
      this._alone(group[0]);
      return;
    }
    this._run(group.map((g) => g.op)).then(
      (results) => group.forEach((g, i) => g.resolve(results[i])),
      () => { for (const g of group) this._alone(g); },
    );
  }

  _alone(g) {
    let p;
    try {
      p = this._one(g.op);
    } catch (err) {
      g.reject(err);
      return;
    }
    Promise.resolve(p).then(g.resolve, g.reject);
  }
}
