'use client';
// The alarm / event timeline of a version-2 run: a strip aligned with the plots' time axis (one
// marker per event, coloured by severity; when several share a pixel the most severe is drawn)
// and the list of events below it. Clicking a marker or a row moves the shared cursor there.
import { memo, useMemo } from 'react';
import type { SystemEvent } from '../../sim/system/types';
import { fmtTime, fmtValue, SEVERITY_RANK, severityOf, timeToPx, type AxisMap } from './cursor';

interface Props {
  events: SystemEvent[];
  durationS: number;
  axis: AxisMap | null;
  cursorS: number | null;
  onSeek: (tS: number) => void;
}

/** Rows shown in the list (the strip shows every event). */
const MAX_ROWS = 500;

export function EventTimeline({ events, durationS, axis, cursorS, onSeek }: Props) {
  // One marker per pixel in the visible window (the most severe event there).
  const markers = useMemo(() => {
    if (!axis) return [];
    const byPx = new Map<number, { e: SystemEvent; px: number; n: number }>();
    for (const e of events) {
      const px = timeToPx(axis, e.t_s);
      if (px === null) continue;
      const k = Math.round(px);
      const cur = byPx.get(k);
      if (!cur) byPx.set(k, { e, px, n: 1 });
      else {
        cur.n++;
        if (SEVERITY_RANK[severityOf(e.severity)] > SEVERITY_RANK[severityOf(cur.e.severity)]) {
          cur.e = e;
          cur.px = px;
        }
      }
    }
    return [...byPx.values()];
  }, [events, axis]);
  const cursorPx = axis && cursorS !== null ? timeToPx(axis, cursorS) : null;
  // The list only changes its highlight with the cursor: pass the cursor only when it sits on an
  // event, so scrubbing between events does not re-render the (up to 500) rows.
  const atEvent = useMemo(() => new Set(events.map((e) => e.t_s)), [events]);
  const highlight = cursorS !== null && atEvent.has(cursorS) ? cursorS : null;

  return (
    <section className="v2-block timeline" aria-label="Event timeline" data-testid="timeline">
      <div className="v2-head">
        Events <span className="muted">{events.length === 0 ? 'none' : `${events.length}`}</span>
        <span className="legend-sev">
          {(['info', 'warning', 'alarm', 'trip'] as const).map((s) => (
            <span key={s} className={`sev-dot sev-${s}`}>
              {s}
            </span>
          ))}
        </span>
      </div>
      <div className="timeline-strip" data-testid="timeline-strip">
        {axis && <div className="timeline-axis" style={{ left: axis.offsetPx, width: axis.lengthPx }} />}
        <Markers markers={markers} durationS={durationS} onSeek={onSeek} />
        {cursorPx !== null && <div className="strip-cursor" style={{ left: cursorPx }} aria-hidden />}
      </div>
      {events.length > 0 && <EventList events={events} durationS={durationS} cursorS={highlight} onSeek={onSeek} />}
    </section>
  );
}

const Markers = memo(function Markers({ markers, durationS, onSeek }: { markers: { e: SystemEvent; px: number; n: number }[]; durationS: number; onSeek: (tS: number) => void }) {
  return (
    <>
      {markers.map(({ e, px, n }) => (
        <button
          key={`${e.t_s}:${e.code}:${e.target}`}
          className={`event-marker sev-${severityOf(e.severity)}`}
          style={{ left: px }}
          onClick={() => onSeek(e.t_s)}
          title={`${fmtTime(e.t_s, durationS)} · ${e.severity} · ${e.code} · ${e.target}${n > 1 ? ` (+${n - 1} more here)` : ''}`}
          aria-label={`${e.code} at ${fmtTime(e.t_s, durationS)}`}
          data-testid="event-marker"
          data-code={e.code}
          data-t-s={e.t_s}
        />
      ))}
    </>
  );
});

const EventList = memo(function EventList({ events, durationS, cursorS, onSeek }: { events: SystemEvent[]; durationS: number; cursorS: number | null; onSeek: (tS: number) => void }) {
  const rows = events.length > MAX_ROWS ? events.slice(0, MAX_ROWS) : events;
  return (
    <div className="event-list" role="list">
      {rows.map((e, i) => (
        <button
          key={i}
          role="listitem"
          className={`event-row${cursorS === e.t_s ? ' at-cursor' : ''}`}
          onClick={() => onSeek(e.t_s)}
          data-testid="event-row"
          data-code={e.code}
          data-t-s={e.t_s}
        >
          <span className="event-time">{fmtTime(e.t_s, durationS)}</span>
          <span className={`badge sev-${severityOf(e.severity)}`}>{e.severity}</span>
          <span className="event-code">{e.code}</span>
          <span className="event-target" title={e.target}>
            {e.target}
          </span>
          <span className="muted event-msg">
            {e.message ?? ''}
            {e.value !== undefined ? ` (${fmtValue(e.value)})` : ''}
            {e.fault ? ` fault ${e.fault}` : ''}
          </span>
        </button>
      ))}
      {events.length > MAX_ROWS && <div className="muted event-more">… {events.length - MAX_ROWS} more events (all are on the strip above).</div>}
    </div>
  );
});
