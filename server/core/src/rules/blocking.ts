// Which findings stop the runtime from allocating from an Eip (blocking) and which are advice.
// Only a blocking finding refuses a pool: a false positive among them is an outage, so the list
// holds only what makes the pool impossible to serve safely. Everything else is advice: shown by
// the editor, `openelb lint` and as the Eip's `Valid` condition message, never a refused pool.
// Pure: no I/O. `checkObject.ts` (controller and speaker) is the consumer.

/** Rule ids that always block, each with the reason it cannot be served. */
const BLOCKING: Record<string, string> = {
  // The address cannot be parsed or sized: there is no pool to allocate from or announce.
  'eip-address-syntax': 'not an address, range or CIDR: no pool',
  'eip-address-range-reversed': 'no pool: OpenELB rejects a reversed range, so which addresses were meant is unknown',
  'eip-address-mixed-family': 'no pool: a range cannot span two address families',
  'eip-address-prefix': 'no pool: a prefix beyond /32 or /128 has no addresses',
  'eip-address-too-large': 'OpenELB cannot count the pool (int64): status and upstream disagree on its size',
  // One address in two pools: two Services could be given it. The controller checks this across
  // every Eip it knows (runtime/src/allocator/overlap.ts); checkObject sees one Eip at a time.
  'eip-overlap': 'two pools share addresses: one address could go to two Services',
  // layer2/vip without a usable interface: no node can answer for the addresses.
  'eip-interface-required': 'layer2/vip with no interface: nothing answers for the addresses',
  'eip-interface-can-reach': 'can_reach: without an IP: no interface can be chosen',
  'eip-interface-name': 'not a Linux interface name: no node can have such an interface',
  // The object could not be read at all, so no rule could vouch for it (checkObject writes valid
  // YAML, so only a document too large or too deep to parse gets here).
  'yaml-syntax': 'the object could not be read: nothing was checked',
  'yaml-unparsed': 'the object could not be read: nothing was checked',
};

/**
 * Schema findings block only on the fields that decide what the pool is and how it is announced:
 * a missing or mistyped `spec.address`, or a `spec.protocol` outside bgp/layer2/vip (the speaker
 * would not know how to announce it). Unknown fields, other fields' types, ranges, and version
 * spellings are advice: upstream OpenELB ignores or defaults them.
 */
const BLOCKING_SCHEMA_IDS: ReadonlySet<string> = new Set(['schema-type', 'schema-required', 'schema-enum', 'schema-pattern']);
export const BLOCKING_SCHEMA_FIELDS: readonly string[] = ['spec.address', 'spec.protocol'];

/** Rule ids that block whatever the field (see BLOCKING for why). */
export const BLOCKING_RULES: ReadonlySet<string> = new Set(Object.keys(BLOCKING));

/** Why a rule id blocks, or undefined for advice (schema ids: see BLOCKING_SCHEMA_FIELDS). */
export function blockingReason(id: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(BLOCKING, id) ? BLOCKING[id] : undefined;
}

function onBlockingField(path: string): boolean {
  return BLOCKING_SCHEMA_FIELDS.some((f) => path === f || path.startsWith(`${f}.`));
}

/**
 * Does a finding stop allocation? `path` is the finding's field path (dotted); it matters only
 * for schema ids, which block on spec.address and spec.protocol alone. Called without a path, a
 * schema id counts as blocking on some field (the architecture table's "sometimes").
 */
export function isBlocking(id: string, path?: string): boolean {
  if (BLOCKING_RULES.has(id)) return true;
  if (!BLOCKING_SCHEMA_IDS.has(id)) return false;
  return path === undefined || onBlockingField(path);
}

/** How the architecture table shows an id: "yes", "no", or which fields make it block. */
export function blockingColumn(id: string): string {
  if (BLOCKING_RULES.has(id)) return 'yes';
  if (BLOCKING_SCHEMA_IDS.has(id)) return `on ${BLOCKING_SCHEMA_FIELDS.map((f) => `\`${f}\``).join(', ')}`;
  return 'no';
}
