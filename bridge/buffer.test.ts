import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchBuffer } from './buffer';

const batch = (k: number) => [{ t: k, r: 1000 + k, v: [k, null] }];

describe('BatchBuffer', () => {
  it('spills beyond the memory bound and reads back in order', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tb-buf-'));
    try {
      const b = new BatchBuffer({ maxMemoryBatches: 4, spillFile: path.join(dir, 'spill.jsonl') });
      for (let k = 0; k < 11; k++) b.push(batch(k));
      expect(b.mem.length).toBe(4);
      expect(b.spilled).toBe(7);
      const seen: number[] = [];
      while (b.size > 0) {
        const head = b.mem[0];
        seen.push(head.samples[0].t);
        b.remove(head);
        expect(b.mem.length).toBeLessThanOrEqual(4);
      }
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      // reuse after draining
      b.push(batch(20));
      expect(b.mem[0].samples[0].t).toBe(20);
      b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drops and counts beyond the bounds without a spill file', () => {
    const b = new BatchBuffer({ maxMemoryBatches: 2 });
    for (let k = 0; k < 5; k++) b.push(batch(k));
    expect(b.size).toBe(2);
    expect(b.dropped).toBe(3);
  });
});
