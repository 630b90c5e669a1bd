'use client';
// The scrubber under the plots: a slider over the plots' visible time window (aligned with their
// axis) that moves the shared cursor, and the values of the drawn channels at the cursor.
import type { PlotAxis } from '../plots/Plots';
import { fmtTime, fmtValue, nearestIndex } from './cursor';

export interface CursorValue {
  label: string;
  unit: string;
  value: number;
}

interface Props {
  axis: PlotAxis | null;
  durationS: number;
  cursorS: number | null;
  /** time of every sample (the run's time_s) */
  timeS: Float64Array;
  onSeek: (tS: number) => void;
  /** channels whose values are shown at the cursor */
  values: (index: number) => CursorValue[];
}

export function Scrubber({ axis, durationS, cursorS, timeS, onSeek, values }: Props) {
  const x0 = axis ? axis.x0S : 0;
  const x1 = axis ? axis.x1S : durationS;
  const span = x1 > x0 ? x1 - x0 : 1;
  const shown = cursorS ?? x0;
  const k = nearestIndex(timeS, shown);
  const sampleS = k >= 0 ? timeS[k] : shown;
  const vals = k >= 0 && cursorS !== null ? values(k) : [];
  return (
    <div className="scrubber" data-testid="scrubber">
      <div className="scrubber-track" style={axis ? { marginLeft: axis.offsetPx, width: axis.lengthPx } : undefined}>
        <input
          type="range"
          aria-label="Cursor time"
          data-testid="scrubber-input"
          min={x0}
          max={x1}
          step={span / 2000}
          value={Math.min(x1, Math.max(x0, shown))}
          onChange={(e) => onSeek(Number(e.target.value))}
        />
      </div>
      <div className="cursor-readout" aria-live="off">
        <span className="cursor-time" data-testid="cursor-time" data-cursor-s={cursorS ?? ''} data-sample-s={cursorS !== null ? sampleS : ''}>
          {cursorS === null ? 'Drag the slider, click a plot, an event or the heat map to place the cursor.' : `t = ${fmtTime(sampleS, durationS)}`}
        </span>
        {vals.map((v) => (
          <span className="cursor-value" key={v.label} title={v.label}>
            <span className="muted">{v.label}</span> {fmtValue(v.value)}
            {v.unit ? ` ${v.unit}` : ''}
          </span>
        ))}
      </div>
    </div>
  );
}
