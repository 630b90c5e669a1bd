'use client';
// Which recorded channels the plots draw (v2 runs): a filter box and checkboxes, at most `max`.
import { useMemo, useState } from 'react';

interface Props {
  channels: { name: string; unit: string }[];
  selected: string[];
  max: number;
  onChange: (names: string[]) => void;
  onDefaults: () => void;
}

/** Matching channels listed at once (a container has hundreds). */
const MAX_LISTED = 200;

export function ChannelPicker({ channels, selected, max, onChange, onDefaults }: Props) {
  const [filter, setFilter] = useState('');
  const sel = useMemo(() => new Set(selected), [selected]);
  const all = useMemo(() => channels.filter((c) => c.name !== 'time_s'), [channels]);
  const f = filter.trim().toLowerCase();
  const matching = f ? all.filter((c) => c.name.toLowerCase().includes(f)) : all;
  const listed = matching.slice(0, MAX_LISTED);
  const toggle = (name: string, on: boolean) => {
    if (on && !sel.has(name) && selected.length < max) onChange([...selected, name]);
    if (!on) onChange(selected.filter((n) => n !== name));
  };
  return (
    <details className="v2-block channel-picker" data-testid="channel-picker">
      <summary className="v2-head">
        Channels <span className="muted">{selected.length} of {all.length} drawn</span>
      </summary>
      <div className="picker-tools">
        <input type="search" placeholder="Filter, e.g. module07 or temp_C" value={filter} onChange={(e) => setFilter(e.target.value)} aria-label="Filter channels" />
        <button className="btn" onClick={onDefaults}>
          Defaults
        </button>
        <button className="btn" onClick={() => onChange([])} disabled={selected.length === 0}>
          None
        </button>
        {selected.length >= max && <span className="muted">at most {max} channels at once</span>}
      </div>
      <div className="picker-list">
        {listed.map((c) => (
          <label key={c.name} className="picker-item">
            <input type="checkbox" checked={sel.has(c.name)} disabled={!sel.has(c.name) && selected.length >= max} onChange={(e) => toggle(c.name, e.target.checked)} />
            <span className="picker-name">{c.name}</span>
            <span className="muted">{c.unit}</span>
          </label>
        ))}
        {matching.length > MAX_LISTED && <div className="muted">… {matching.length - MAX_LISTED} more: narrow the filter.</div>}
      </div>
    </details>
  );
}
