// `--source csv:<file>`: replays a measured file in the shared Panasonic column format
//   time_s,current_A,voltage_V,ah_Ah,battery_temp_degC[,chamber_temp_degC]
// in real time, or `speed` times faster (Infinity: as fast as the bridge takes them).
// time_s becomes the device timestamp. current_A is negative on discharge in the file and is sent
// negated (+ = discharge, as in the protocol); every other value is sent exactly as parsed.
// Other numeric columns are sent as kind 'other'. Bad lines stop with file:line: message.
import { readFileSync } from 'node:fs';
import type { Channel, ChannelKind } from '../../sim/protocol/bridge';
import { sleep, type Source } from './types';

const KNOWN: Record<string, { id: string; name: string; unit: string; kind: ChannelKind; range: [number, number]; negate?: boolean }> = {
  current_A: { id: 'current_A', name: 'current (+ discharge)', unit: 'A', kind: 'current', range: [-50, 50], negate: true },
  voltage_V: { id: 'voltage_V', name: 'voltage', unit: 'V', kind: 'voltage', range: [0, 5] },
  ah_Ah: { id: 'ah_Ah', name: 'tester charge counter', unit: 'Ah', kind: 'charge', range: [-20, 20] },
  battery_temp_degC: { id: 'temp_C', name: 'cell temperature', unit: 'degC', kind: 'temperature', range: [-40, 100] },
  chamber_temp_degC: { id: 'ambient_C', name: 'chamber temperature', unit: 'degC', kind: 'ambient', range: [-40, 80] },
};

export interface CsvTable {
  channels: Channel[];
  timeS: Float64Array;
  /** row-major values, channels.length per row, null = empty cell */
  rows: (number | null)[][];
}

export function parsePanasonicCsv(text: string, file = '<csv>'): CsvTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  const ti = header.indexOf('time_s');
  if (ti < 0) throw new Error(`${file}:1: missing column "time_s" (found: ${header.join(',')})`);
  const cols: { index: number; negate: boolean; ch: Channel }[] = [];
  header.forEach((h, index) => {
    if (index === ti || h === '') return;
    const k = KNOWN[h];
    const unit = /_([A-Za-z]+)$/.exec(h)?.[1] ?? '';
    const ch: Channel = k
      ? { id: k.id, name: k.name, unit: k.unit, kind: k.kind, range: k.range }
      : { id: h.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 64), name: h.slice(0, 120), unit: unit.slice(0, 16), kind: 'other', range: [-1e9, 1e9] };
    cols.push({ index, negate: !!k?.negate, ch });
  });
  const timeS: number[] = [];
  const rows: (number | null)[][] = [];
  let prev = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    const parts = raw.split(',');
    const t = Number(parts[ti]);
    if (!Number.isFinite(t)) throw new Error(`${file}:${i + 1}: time_s '${parts[ti]}' is not a number`);
    if (t < prev) throw new Error(`${file}:${i + 1}: time_s goes backwards (${t} after ${prev})`);
    prev = t;
    const row: (number | null)[] = new Array(cols.length);
    for (let c = 0; c < cols.length; c++) {
      const cell = (parts[cols[c].index] ?? '').trim();
      if (cell === '') row[c] = null;
      else {
        const x = Number(cell);
        if (!Number.isFinite(x)) throw new Error(`${file}:${i + 1}: column ${header[cols[c].index]}: '${cell}' is not a number`);
        row[c] = cols[c].negate ? -x : x;
      }
    }
    timeS.push(t);
    rows.push(row);
  }
  if (rows.length === 0) throw new Error(`${file}: no data rows`);
  return { channels: cols.map((c) => c.ch), timeS: Float64Array.from(timeS), rows };
}

export function csvSource(file: string, speed = 1): Source {
  const table = parsePanasonicCsv(readFileSync(file, 'utf8'), file);
  if (!(speed > 0)) throw new Error(`--speed must be > 0 (got ${speed})`);
  return {
    channels: table.channels,
    software: `twinbench csv replay of ${file} at ${speed === Infinity ? 'max' : speed}x`,
    async run(push, signal) {
      const n = table.rows.length;
      const t0File = table.timeS[0];
      const t0 = performance.now();
      let k = 0;
      while (k < n && !signal.aborted) {
        const elapsedFileS = speed === Infinity ? Infinity : ((performance.now() - t0) / 1000) * speed;
        while (k < n && table.timeS[k] - t0File <= elapsedFileS) {
          push(table.timeS[k], table.rows[k]);
          k++;
          if (speed === Infinity && k % 500 === 0) break;
        }
        if (k >= n) break;
        const waitMs = speed === Infinity ? 0 : ((table.timeS[k] - t0File - elapsedFileS) / speed) * 1000;
        await sleep(Math.max(speed === Infinity ? 1 : 2, Math.min(50, waitMs)), signal);
      }
    },
  };
}
