// Group commit for sample batches: writes that arrive while a write is in flight (or within the
// same event-loop turn) go to the database together as one multi-row INSERT in one transaction
// (server/db/sampleWriter.ts). Each caller's promise resolves only when its row is committed
// (then the batch is acked). When a group fails (e.g. the device of one row was removed), its rows
// are retried one by one so that one bad row does not hold back the others.
import type { Sample } from '../../sim/protocol/bridge';

export interface RowSink {
  /** per row: true = it existed already (duplicate, not written) */
  putMany(rows: { deviceId: string; seq: number; samples: Sample[] }[]): Promise<boolean[]>;
}

interface Pending {
  row: { deviceId: string; seq: number; samples: Sample[] };
  resolve: (duplicate: boolean) => void;
  reject: (err: unknown) => void;
}

export class GroupWriter {
  private pending: Pending[] = [];
  private busy = false;
  private scheduled = false;
  /** rows per INSERT (SQLite's bound-parameter limit is 32766; 8 columns per row) */
  maxRows = 500;

  constructor(private sink: RowSink) {}

  write(deviceId: string, seq: number, samples: Sample[]): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ row: { deviceId, seq, samples }, resolve, reject });
      if (!this.scheduled && !this.busy) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          void this.flush();
        });
      }
    });
  }

  private async flush(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.pending.length) {
        const group = this.pending.splice(0, this.maxRows);
        try {
          const dup = await this.sink.putMany(group.map((p) => p.row));
          group.forEach((p, i) => p.resolve(dup[i]));
        } catch (err) {
          if (group.length === 1) {
            group[0].reject(err);
            continue;
          }
          for (const p of group) {
            try {
              p.resolve((await this.sink.putMany([p.row]))[0]);
            } catch (e) {
              p.reject(e);
            }
          }
        }
      }
    } finally {
      this.busy = false;
    }
  }
}
