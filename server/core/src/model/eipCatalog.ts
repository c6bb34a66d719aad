// A list of Eip facts indexed for the cross-document rules: overlap by pool (address/overlaps.ts),
// by name, and the default Eips. The language service builds one over every workspace file and
// the cluster once per facts version and shares it with every file it checks, so checking 8,000
// files costs 8,000 small questions, not 8,000 passes over everything.
import { OverlapIndex } from '../address/overlaps';
import type { Pool } from '../address/pool';
import type { EipFact } from './facts';

export class EipCatalog {
  private readonly index: OverlapIndex;
  private names?: Map<string, EipFact[]>;
  private perUri?: Map<string, EipCatalog>;
  /** The Eips marked default (exactly "true"), in list order. */
  readonly defaults: EipFact[];

  constructor(readonly eips: readonly EipFact[]) {
    this.index = new OverlapIndex(eips.map((e) => e.pool));
    this.defaults = eips.filter((e) => e.isDefault);
  }

  /** How many Eips of the catalog share an address with `pool`. */
  countOverlapping(pool: Pool): number {
    return this.index.count(pool);
  }

  /** Up to `limit` Eips sharing an address with `pool` (by start), those `skip` rejects left out. */
  overlapping(pool: Pool, limit: number, skip?: (e: EipFact, i: number) => boolean): EipFact[] {
    return this.index.find(pool, limit, skip && ((i) => skip(this.eips[i], i))).map((i) => this.eips[i]);
  }

  /** The Eips of this name. */
  named(name: string): readonly EipFact[] {
    if (!this.names) {
      this.names = new Map();
      for (const e of this.eips) {
        const l = this.names.get(e.name);
        if (l) l.push(e);
        else this.names.set(e.name, [e]);
      }
    }
    return this.names.get(name) ?? [];
  }

  /** The workspace Eips of one file, as a catalog of their own (built on first ask). */
  ofFile(uri: string): EipCatalog {
    if (!this.perUri) {
      const groups = new Map<string, EipFact[]>();
      for (const e of this.eips) {
        if (e.source !== 'workspace' || e.uri === undefined) continue;
        const l = groups.get(e.uri);
        if (l) l.push(e);
        else groups.set(e.uri, [e]);
      }
      this.perUri = new Map([...groups].map(([u, l]) => [u, new EipCatalog(l)]));
    }
    return this.perUri.get(uri) ?? EMPTY_CATALOG;
  }
}

export const EMPTY_CATALOG = new EipCatalog([]);
