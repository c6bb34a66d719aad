// Telling the watch's echo of our own writes from other writers' changes, by resourceVersion
// equality alone (resourceVersions are opaque; only the API server orders them).
//
// A watch delivers each object's versions in the order they were written. When one of our
// writes succeeds, we hold the object as stored, ahead of the watch: until the watch delivers
// that very version, whatever it delivers of the object is older (already in what we hold);
// once it has, whatever follows is newer, someone else's change. The echo often arrives before
// the write's answer, so while a request is in flight the object's watch events are held and
// sorted out when the answer comes.
//
// A relist (the watch starting over from a fresh list) may skip versions, so it drops every
// copy held ahead: the list is current.

/** What a watch event is: the echo of a copy we hold, older than it, news, or held (see end()). */
export type Seen = 'ours' | 'older' | 'news' | 'held';

type Versioned = { metadata?: { resourceVersion?: string } };

interface Ahead<T> {
  /** Our newest copy. */
  obj: T;
  /** Versions we hold that the watch has not delivered yet, oldest first. */
  versions: string[];
}

interface Held<T> {
  requests: number;
  events: { obj: T; deleted: boolean }[];
}

const versionOf = (o: Versioned | undefined): string => o?.metadata?.resourceVersion ?? '';

export class WatchEchoes<T extends Versioned> {
  private readonly ahead = new Map<string, Ahead<T>>();
  private readonly held = new Map<string, Held<T>>();

  /** Our copy of the object while the watch has not caught up with it. */
  copy(key: string): T | undefined {
    return this.ahead.get(key)?.obj;
  }

  /** A watch event of the object (an add or update, or its deletion). */
  event(key: string, obj: T, deleted = false): Seen {
    const h = this.held.get(key);
    if (h) {
      h.events.push({ obj, deleted });
      return 'held';
    }
    return this.sort(key, obj, deleted);
  }

  /** A request about the object starts: its watch events wait for the answer (end). */
  begin(key: string): void {
    const h = this.held.get(key);
    if (h) h.requests++;
    else this.held.set(key, { requests: 1, events: [] });
  }

  /**
   * The answer: `obj` is the object as the request left it stored when the watch has yet to
   * deliver it (undefined when the request failed or changed nothing). Returns the events held
   * meanwhile, in order, each with what it is.
   */
  end(key: string, obj?: T): { obj: T; deleted: boolean; seen: Seen }[] {
    if (obj) this.hold(key, obj);
    const h = this.held.get(key);
    if (!h || --h.requests > 0) return [];
    this.held.delete(key);
    return h.events.map((e) => ({ ...e, seen: this.sort(key, e.obj, e.deleted) }));
  }

  /**
   * Runs a request between begin() and end(): `stored` turns its result into the object to hold
   * ahead of the watch (or undefined), `after` gets the events held meanwhile.
   */
  async around<R>(key: string, request: () => Promise<R>, stored: (r: R) => T | undefined,
    after: (events: { obj: T; deleted: boolean; seen: Seen }[]) => void): Promise<R> {
    this.begin(key);
    let obj: T | undefined;
    try {
      const r = await request();
      obj = stored(r);
      return r;
    } finally {
      after(this.end(key, obj));
    }
  }

  /** The watch started over from a fresh list: it is current, nothing is ahead of it. */
  relist(): void {
    this.ahead.clear();
  }

  forget(key: string): void {
    this.ahead.delete(key);
  }

  private hold(key: string, obj: T): void {
    const a = this.ahead.get(key);
    if (a) {
      a.obj = obj;
      a.versions.push(versionOf(obj));
    } else {
      this.ahead.set(key, { obj, versions: [versionOf(obj)] });
    }
  }

  private sort(key: string, obj: T, deleted: boolean): Exclude<Seen, 'held'> {
    if (deleted) {
      this.ahead.delete(key);
      return 'news';
    }
    const a = this.ahead.get(key);
    if (!a) return 'news';
    const i = a.versions.indexOf(versionOf(obj));
    if (i < 0) return 'older';
    // Delivered, and with it every version before it.
    a.versions.splice(0, i + 1);
    if (a.versions.length === 0) this.ahead.delete(key);
    return 'ours';
  }
}
