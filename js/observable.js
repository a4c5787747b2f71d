// A minimal Observable, compatible with zen-observable's subscribe forms
// (an observer object, or next/error/complete functions), as Amplify's
// observe and observeQuery return.
export class Observable {
  constructor(subscriber) {
    this._subscriber = subscriber;
  }

  subscribe(observerOrNext, error, complete) {
    const observer = typeof observerOrNext === 'function'
      ? { next: observerOrNext, error, complete }
      : (observerOrNext || {});
    let closed = false;
    let cleanup = null;
    const subscription = {
      get closed() { return closed; },
      unsubscribe() {
        if (closed) return;
        closed = true;
        if (cleanup) cleanup();
      },
    };
    const sink = {
      next(v) { if (!closed && observer.next) observer.next(v); },
      error(e) {
        if (closed) return;
        subscription.unsubscribe();
        if (observer.error) observer.error(e);
      },
      complete() {
        if (closed) return;
        subscription.unsubscribe();
        if (observer.complete) observer.complete();
      },
      get closed() { return closed; },
    };
    try {
      cleanup = this._subscriber(sink) || null;
    } catch (e) {
      sink.error(e);
    }
    if (closed && cleanup) cleanup();
    return subscription;
  }

  [Symbol.observable || '@@observable']() { return this; }
}
