// Bounded buffer of unacked batches: up to `maxMemoryBatches` in memory; beyond that, new
// batches are appended to a spill file (JSON lines) and read back in order as the memory part
// drains. Beyond `maxSpillBytes` new batches are dropped and counted (the server sees a seq gap
// only if seqs had been assigned; here they are not yet, so the store simply misses them).
import { closeSync, existsSync, mkdirSync, openSync, readSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import path from 'node:path';
import type { Sample } from '../sim/protocol/bridge';

export interface PendingBatch {
  /** assigned when first sent (after the server told where to continue) */
  seq: number | null;
  samples: Sample[];
  /** not before (ms since epoch), after a transient refusal */
  retryAt: number;
  inflight: boolean;
}

export interface BufferOptions {
  maxMemoryBatches?: number;
  /** spill file; default none (then the memory bound drops) */
  spillFile?: string | null;
  maxSpillBytes?: number;
}

export class BatchBuffer {
  readonly mem: PendingBatch[] = [];
  readonly maxMemoryBatches: number;
  readonly maxSpillBytes: number;
  private spillFile: string | null;
  private fd: number | null = null;
  private writePos = 0;
  private readPos = 0;
  private spilledCount = 0;
  dropped = 0;

  constructor(opts: BufferOptions = {}) {
    this.maxMemoryBatches = opts.maxMemoryBatches ?? 2000;
    this.maxSpillBytes = opts.maxSpillBytes ?? 256 * 1024 * 1024;
    this.spillFile = opts.spillFile ?? null;
    if (this.spillFile) {
      mkdirSync(path.dirname(this.spillFile), { recursive: true });
      if (existsSync(this.spillFile)) rmSync(this.spillFile);
    }
  }

  /** batches held (memory + spill) */
  get size(): number {
    return this.mem.length + this.spilledCount;
  }
  get spilled(): number {
    return this.spilledCount;
  }

  push(samples: Sample[]): void {
    if (this.spilledCount === 0 && this.mem.length < this.maxMemoryBatches) {
      this.mem.push({ seq: null, samples, retryAt: 0, inflight: false });
      return;
    }
    if (!this.spillFile || this.writePos - this.readPos > this.maxSpillBytes) {
      this.dropped++;
      return;
    }
    this.fd ??= openSync(this.spillFile, 'w+');
    const line = Buffer.from(JSON.stringify(samples) + '\n', 'utf8');
    writeSync(this.fd, line, 0, line.length, this.writePos);
    this.writePos += line.length;
    this.spilledCount++;
  }

  /** removes an acked (or permanently refused) batch */
  remove(b: PendingBatch): void {
    const i = this.mem.indexOf(b);
    if (i >= 0) this.mem.splice(i, 1);
    this.refill();
  }

  /** moves spilled batches back to memory while there is room (keeps order) */
  refill(): void {
    if (this.spilledCount === 0 || this.fd === null) return;
    const room = this.maxMemoryBatches - this.mem.length;
    if (room < this.maxMemoryBatches / 2) return;
    let want = room;
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    let carry = '';
    while (want > 0 && this.spilledCount > 0) {
      const n = readSync(this.fd, chunk, 0, chunk.length, this.readPos + Buffer.byteLength(carry));
      if (n <= 0) break;
      const text = carry + chunk.subarray(0, n).toString('utf8');
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) {
        if (want === 0) {
          carry = '';
          break;
        }
        this.readPos += Buffer.byteLength(line) + 1;
        this.mem.push({ seq: null, samples: JSON.parse(line) as Sample[], retryAt: 0, inflight: false });
        this.spilledCount--;
        want--;
      }
      if (want === 0) break;
    }
    if (this.spilledCount === 0) {
      ftruncateSync(this.fd, 0);
      this.readPos = this.writePos = 0;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.spillFile && existsSync(this.spillFile)) rmSync(this.spillFile);
  }
}
