'use client';
// Results of one run: criteria (v2), plots with the shared cursor, the scrubber, the event
// timeline (v2) and the temperature heat map (v2), all on the plots' time axis; for v2 runs a
// channel picker chooses what the plots draw (defaults: app/plots/systemChannels).
import { memo, useCallback, useMemo, useState } from 'react';
import dynamic from 'next/dynamic';
import type { RunLike } from '../library/db';
import type { PlotAxis } from '../plots/Plots';
import { PANELS } from '../plots/channels';
import { defaultSystemChannels, MAX_SELECTED_CHANNELS, systemPanels } from '../plots/systemChannels';
import { CriteriaPanel } from './CriteriaPanel';
import { EventTimeline } from './EventTimeline';
import { HeatMap } from './HeatMap';
import { Scrubber, type CursorValue } from './Scrubber';
import { ChannelPicker } from './ChannelPicker';
import './results.css';

// Memoised: scrubbing re-renders the results on every input event; these do not depend on the
// cursor (the picker lists up to 200 channels).
const CriteriaPanelMemo = memo(CriteriaPanel);
const ChannelPickerMemo = memo(ChannelPicker);

const Plots = dynamic(() => import('../plots/Plots').then((m) => m.Plots), {
  ssr: false,
  loading: () => <div className="plots-overlay">Loading plots…</div>,
});

interface Props {
  run: RunLike;
  runKey: string;
}

/** Memoised: progress updates of the next run re-render the workbench, not the shown results. */
export const RunResults = memo(function RunResults({ run, runKey }: Props) {
  const isSystem = Array.isArray(run.criteria) && Array.isArray(run.events);
  const [axis, setAxis] = useState<PlotAxis | null>(null);
  const heatTargets = run.heatmap?.targets;
  const defaults = useMemo(() => (isSystem ? defaultSystemChannels(run.channels, heatTargets) : []), [isSystem, run.channels, heatTargets]);
  // Cursor and channel choice belong to one run: another run starts with no cursor and its defaults.
  const [cursor, setCursor] = useState<{ key: string; tS: number } | null>(null);
  const cursorS = cursor && cursor.key === runKey ? cursor.tS : null;
  const [pick, setPick] = useState<{ key: string; names: string[] } | null>(null);
  const selected = pick && pick.key === runKey ? pick.names : defaults;
  const setSelected = useCallback((names: string[]) => setPick({ key: runKey, names }), [runKey]);
  const resetSelected = useCallback(() => setPick({ key: runKey, names: defaults }), [runKey, defaults]);
  const panels = useMemo(() => (isSystem ? systemPanels(run.channels, selected) : undefined), [isSystem, run.channels, selected]);
  const timeS = useMemo(() => (run.channels.find((c) => c.name === 'time_s') ?? run.channels[0])?.data ?? new Float64Array(0), [run.channels]);
  const seek = useCallback((tS: number) => setCursor({ key: runKey, tS }), [runKey]);
  const onAxis = useCallback((a: PlotAxis) => {
    setAxis((prev) =>
      prev && prev.offsetPx === a.offsetPx && prev.lengthPx === a.lengthPx && prev.x0S === a.x0S && prev.x1S === a.x1S ? prev : a,
    );
  }, []);

  const byName = useMemo(() => new Map(run.channels.map((c) => [c.name, c])), [run.channels]);
  const values = useCallback(
    (k: number): CursorValue[] => {
      // As the plots show them: the panel's label, scale (SOC %, kW) and unit.
      const out: CursorValue[] = [];
      for (const p of panels ?? PANELS) {
        for (const c of p.channels) {
          const ch = byName.get(c.name);
          if (!ch || k >= ch.data.length) continue;
          out.push({ label: c.label, unit: p.unit, value: ch.data[k] * (c.scale ?? 1) });
        }
      }
      return out;
    },
    [panels, byName],
  );

  return (
    <div className={`run-results${isSystem ? ' system' : ''}`} data-testid="run-results" data-system={isSystem ? 'true' : 'false'}>
      {isSystem && <CriteriaPanelMemo criteria={run.criteria!} durationS={run.durationS} onSeek={seek} />}
      {isSystem && run.stoppedBy && <div className="v2-stopped muted">Stopped: {run.stoppedBy}</div>}
      <div className="plots-frame" style={isSystem && panels ? { height: Math.max(260, 70 + panels.length * 120) } : undefined}>
        <Plots channels={run.channels} durationS={run.durationS} runKey={runKey} panels={panels} cursorS={cursorS} onAxis={onAxis} onPick={seek} />
      </div>
      <Scrubber axis={axis} durationS={run.durationS} cursorS={cursorS} timeS={timeS} onSeek={seek} values={values} />
      {isSystem && <EventTimeline events={run.events!} durationS={run.durationS} axis={axis} cursorS={cursorS} onSeek={seek} />}
      {isSystem && run.heatmap && run.heatmap.targets.length > 0 && (
        <HeatMap heatmap={run.heatmap} durationS={run.durationS} axis={axis} cursorS={cursorS} onSeek={seek} />
      )}
      {isSystem && (
        <ChannelPickerMemo channels={run.channels} selected={selected} max={MAX_SELECTED_CHANNELS} onChange={setSelected} onDefaults={resetSelected} />
      )}
    </div>
  );
});
