/**
 * Target paths and selectors. Every asset of a scenario has a path of '/'-separated names
 * (`site1/container1/rack03/module07/cell12`); a selector addresses many of them:
 *
 *   literal       container1
 *   glob          rack*        (* = any run of characters inside one segment, ? = one character)
 *   any depth     **           (zero or more segments: site1/**\/cell*)
 *   index range   cell[1..4]   (names whose numeric suffix is in the set: cell01..cell04;
 *                 module[1,3,5..7])
 *
 * Signal references are a selector, a dot and a signal name: `site1/container1/rack*.temp_C`.
 */

export type SegmentMatcher = (seg: string) => boolean;
export type Selector = { text: string; segs: (SegmentMatcher | '**')[] };

const NAME_RE = /^[A-Za-z0-9_\-*?]+(\[[0-9.,\s]+\])?$/;

function parseRange(body: string): ((n: number) => boolean) | string {
  const parts = body.split(',').map((p) => p.trim());
  const ranges: [number, number][] = [];
  for (const p of parts) {
    const m = /^(\d+)(?:\.\.(\d+))?$/.exec(p);
    if (!m) return `bad index range '[${body}]', expected e.g. [1..4] or [1,3,5..7]`;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return `bad index range '${p}': ${a} > ${b}`;
    ranges.push([a, b]);
  }
  return (n) => ranges.some(([a, b]) => n >= a && n <= b);
}

function globToRegExp(g: string): RegExp {
  const esc = g.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

/** Parse a selector; a string is an error message. */
export function parseSelector(text: string): Selector | string {
  if (typeof text !== 'string' || !text.trim()) return 'empty target path';
  if (text.length > 500) return 'target path too long (max 500 characters)';
  const raw = text.trim().split('/');
  const segs: Selector['segs'] = [];
  for (const s of raw) {
    if (s === '**') {
      segs.push('**');
      continue;
    }
    if (!s) return `empty segment in '${text}' (two '/' in a row?)`;
    if (!NAME_RE.test(s)) return `bad segment '${s}' in '${text}': names use letters, digits, '_' and '-', with * ? globs or an index range like cell[1..4]`;
    const br = s.indexOf('[');
    if (br < 0) {
      if (/[*?]/.test(s)) {
        const re = globToRegExp(s);
        segs.push((x) => re.test(x));
      } else segs.push((x) => x === s);
      continue;
    }
    const stem = s.slice(0, br);
    const range = parseRange(s.slice(br + 1, -1));
    if (typeof range === 'string') return range;
    const stemRe = globToRegExp(stem);
    segs.push((x) => {
      const m = /^(.*?)(\d+)$/.exec(x);
      return !!m && stemRe.test(m[1]) && range(Number(m[2]));
    });
  }
  return { text, segs };
}

/** Does a concrete path (segments) match the selector? */
export function matchPath(sel: Selector, path: readonly string[]): boolean {
  const segs = sel.segs;
  const go = (i: number, j: number): boolean => {
    if (i === segs.length) return j === path.length;
    const s = segs[i];
    if (s === '**') {
      for (let k = j; k <= path.length; k++) if (go(i + 1, k)) return true;
      return false;
    }
    return j < path.length && s(path[j]) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/** Split `selector.signal` at the last dot that is not inside [..]. */
export function splitSignalRef(ref: string): { target: string; signal: string } | string {
  const t = ref.trim();
  const lastBracket = t.lastIndexOf(']');
  const dot = t.lastIndexOf('.');
  if (dot <= 0 || dot < lastBracket) return `'${ref}' is not a signal reference: write <target>.<signal>, e.g. 'site1/container1/rack*.temp_C'`;
  return { target: t.slice(0, dot), signal: t.slice(dot + 1) };
}

/** Zero-padded child name: child('cell', 7, 20) = 'cell07'. */
export function indexedName(stem: string, index1: number, count: number): string {
  const w = Math.max(2, String(count).length);
  return stem + String(index1).padStart(w, '0');
}
