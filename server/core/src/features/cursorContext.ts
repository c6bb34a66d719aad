// Where the cursor is, read from indentation so that it works on half-typed, invalid YAML:
// the key path of the mapping the cursor is in, and whether a key or a value is being typed.

export interface CursorContext {
  /** Keys from the document root to the mapping holding the cursor ('[]' for a list item). */
  path: string[];
  /** 'key' when typing a key (or on an empty line), 'value' after `key: `. */
  mode: 'key' | 'value';
  /** For mode 'value': the key whose value is typed. */
  key?: string;
  /** The partial word under the cursor and where it starts (offset in the file). */
  word: string;
  wordStart: number;
  /** Column of the keys of the mapping the cursor is in. */
  indent: number;
  /** Keys already present in that mapping. */
  siblings: Set<string>;
  /** True when the document has no content yet (only comments / blank lines / marker). */
  emptyDocument: boolean;
}

interface LineInfo {
  indent: number; // column of the key (after "- ")
  dash: number; // column of "-" or -1
  key?: string;
  hasValue: boolean;
  blank: boolean;
}

const KEY_RE = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:#](?:[^:#]*[^\s:#])?)\s*:(\s|$)(.*)$/;

function lineInfo(line: string): LineInfo {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#') || /^(---|\.\.\.)(\s|$)/.test(line)) return { indent: 0, dash: -1, hasValue: false, blank: true };
  const m = KEY_RE.exec(line);
  const lead = line.length - line.trimStart().length;
  if (!m) {
    const dm = /^(\s*)-(\s+|$)/.exec(line);
    if (dm) return { indent: dm[0].length, dash: dm[1].length, hasValue: true, blank: false };
    return { indent: lead, dash: -1, hasValue: true, blank: false };
  }
  const dash = m[2] ? m[1].length : -1;
  const indent = m[1].length + (m[2]?.length ?? 0);
  const key = m[3].replace(/^["']|["']$/g, '');
  const hash = m[5].search(/\s#/); // a comment starts at whitespace + '#' (linear, unlike /\s+#.*$/)
  const rest = (hash < 0 ? m[5] : m[5].slice(0, hash)).trim();
  return { indent, dash, key, hasValue: rest !== '' && rest !== '|' && rest !== '>', blank: false };
}

export function cursorContext(docText: string, docOffset: number, offset: number): CursorContext {
  const rel = offset - docOffset;
  const before = docText.slice(0, rel);
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = docText.indexOf('\n', rel);
  const prefix = before.slice(lineStart);
  const lines = docText.slice(0, lineStart).split('\n');
  lines.pop(); // the empty piece after the last newline

  let mode: 'key' | 'value' = 'key';
  let key: string | undefined;
  let indent: number;
  let dash = -1;
  let word: string;
  const valueMatch = /^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s:#](?:[^:#]*[^\s:#])?)\s*:\s+(\S*)$/.exec(prefix);
  if (valueMatch) {
    mode = 'value';
    key = valueMatch[3].replace(/^["']|["']$/g, '');
    indent = valueMatch[1].length + (valueMatch[2]?.length ?? 0);
    dash = valueMatch[2] ? valueMatch[1].length : -1;
    word = valueMatch[4].replace(/^["']/, '');
  } else {
    const km = /^(\s*)(-\s+)?(\S*)$/.exec(prefix);
    indent = km ? km[1].length + (km[2]?.length ?? 0) : prefix.length - prefix.trimStart().length;
    dash = km?.[2] ? km[1].length : -1;
    word = km?.[3] ?? '';
  }

  // Walk up to find the parents.
  const path: string[] = [];
  let cur = indent;
  let inItem = dash >= 0;
  if (inItem) { path.unshift('[]'); cur = dash; }
  for (let i = lines.length - 1; i >= 0 && cur > 0; i--) {
    const li = lineInfo(lines[i]);
    if (li.blank) continue;
    if (li.dash >= 0 && li.indent === cur && !inItem) {
      // a sibling key introduced by "- key:" in the same list item
      path.unshift('[]');
      cur = li.dash;
      inItem = true;
      continue;
    }
    if (li.indent < cur && li.key !== undefined) {
      if (li.hasValue) break; // malformed: a scalar cannot hold children
      path.unshift(li.key);
      cur = li.indent;
      inItem = false;
      if (li.dash >= 0) { path.unshift('[]'); cur = li.dash; inItem = true; }
    } else if (li.indent < cur && li.dash >= 0 && li.key === undefined) {
      path.unshift('[]');
      cur = li.dash;
      inItem = true;
    }
  }
  // Sibling keys: lines at the same indent in the same block, above and below.
  const siblings = new Set<string>();
  const all = docText.split('\n');
  const cursorLine = lines.length;
  for (const dir of [-1, 1]) {
    for (let i = cursorLine + dir; i >= 0 && i < all.length; i += dir) {
      const li = lineInfo(all[i]);
      if (li.blank) continue;
      if (li.indent < indent) break;
      if (li.indent === indent && li.key !== undefined) {
        siblings.add(li.key);
        if (li.dash >= 0 && dir < 0) break; // the start of this list item
      }
    }
  }
  const emptyDocument = docText.split('\n').every((l, i) => i === cursorLine || lineInfo(l).blank) && prefix.trim() === word.trim() && !valueMatch && indent === 0;
  void lineEnd;
  return { path, mode, key, word, wordStart: offset - word.length, indent, siblings, emptyDocument };
}
