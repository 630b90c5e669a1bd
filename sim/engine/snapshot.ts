/**
 * Save and restore the mutable numeric state of a simulation object (a Pack, an EcmFleet):
 * every Float64Array / typed array and every number reachable through plain objects, skipping
 * compiled caches and parameters. Used to re-take the last step with a shorter length when a
 * termination condition fell inside it. Buffers are allocated on the first save and reused.
 */

const SKIP = new Set(['model', 'params', 'p', 'spec', 'compiled', 'cache']);

type Slot =
  | { kind: 'array'; owner: Record<string, unknown>; key: string; copy: { set(a: ArrayLike<number>): void } & ArrayLike<number> }
  | { kind: 'number'; owner: Record<string, unknown>; key: string; value: number };

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export class StateSnapshot {
  private slots: Slot[] = [];

  constructor(root: object, maxDepth = 3) {
    const seen = new Set<object>();
    const visit = (o: Record<string, unknown>, depth: number) => {
      if (seen.has(o)) return;
      seen.add(o);
      for (const key of Object.keys(o)) {
        if (SKIP.has(key)) continue;
        const v = o[key];
        if (typeof v === 'number') {
          const desc = Object.getOwnPropertyDescriptor(o, key);
          if (desc && desc.writable) this.slots.push({ kind: 'number', owner: o, key, value: v });
        } else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
          const ctor = (v as unknown as { constructor: new (n: number) => Slot & ArrayLike<number> }).constructor;
          const copy = new ctor((v as unknown as ArrayLike<number>).length) as unknown as { set(a: ArrayLike<number>): void } & ArrayLike<number>;
          this.slots.push({ kind: 'array', owner: o, key, copy });
        } else if (depth < maxDepth && v && typeof v === 'object' && (isPlainObject(v) || depth === 0)) {
          visit(v as Record<string, unknown>, depth + 1);
        }
      }
    };
    visit(root as Record<string, unknown>, 0);
  }

  save(): void {
    for (const s of this.slots) {
      if (s.kind === 'number') s.value = s.owner[s.key] as number;
      else s.copy.set(s.owner[s.key] as ArrayLike<number>);
    }
  }

  restore(): void {
    for (const s of this.slots) {
      if (s.kind === 'number') s.owner[s.key] = s.value;
      else (s.owner[s.key] as { set(a: ArrayLike<number>): void }).set(s.copy);
    }
  }
}
