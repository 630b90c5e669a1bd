'use client';
// Local library sidebar: saved scenarios and runs (IndexedDB). Open with a click or Enter,
// rename inline (F2 or the ✎ button), delete with confirmation (Del or the 🗑 button).
import { useState, type KeyboardEvent } from 'react';
import type { RunRecord, ScenarioRecord } from '../library/db';

interface Props {
  scenarios: ScenarioRecord[];
  runs: RunRecord[];
  activeScenarioId: number | null;
  activeRunId: number | null;
  error: string;
  onNew(): void;
  onOpenScenario(s: ScenarioRecord): void;
  onRenameScenario(id: number, name: string): Promise<void>;
  onDeleteScenario(id: number): Promise<void>;
  onOpenRun(r: RunRecord): Promise<void>;
  onRenameRun(id: number, name: string): Promise<void>;
  onDeleteRun(id: number): Promise<void>;
}

function when(t: number): string {
  const d = new Date(t);
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

interface ItemProps {
  label: string;
  sub: string;
  active: boolean;
  testId: string;
  onOpen(): void;
  onRename(name: string): Promise<void>;
  onDelete(): Promise<void>;
  kind: string;
}

function Item({ label, sub, active, testId, onOpen, onRename, onDelete, kind }: ItemProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(label);

  const commit = async () => {
    setEditing(false);
    const n = draft.trim();
    if (n && n !== label) await onRename(n);
  };
  const del = async () => {
    if (window.confirm(`Delete ${kind} “${label}” from the local library?`)) await onDelete();
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    if (editing) return;
    if (e.key === 'Enter') onOpen();
    else if (e.key === 'F2') {
      setDraft(label);
      setEditing(true);
    } else if (e.key === 'Delete') void del();
  };

  return (
    <li className={`lib-item ${active ? 'active' : ''}`} data-testid={testId}>
      {editing ? (
        <input
          className="lib-rename"
          autoFocus
          value={draft}
          aria-label={`New name for ${label}`}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => void commit()}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void commit();
            if (e.key === 'Escape') {
              e.stopPropagation();
              setEditing(false);
            }
          }}
        />
      ) : (
        <div className="lib-main" role="button" tabIndex={0} onClick={onOpen} onKeyDown={onKey} title={`Open (Enter) · rename (F2) · delete (Del)`}>
          <span className="lib-label">{label}</span>
          <span className="lib-sub">{sub}</span>
        </div>
      )}
      <div className="lib-actions">
        <button
          className="icon"
          aria-label={`Rename ${label}`}
          title="Rename"
          onClick={() => {
            setDraft(label);
            setEditing(true);
          }}
        >
          ✎
        </button>
        <button className="icon" aria-label={`Delete ${label}`} title="Delete" onClick={() => void del()}>
          ×
        </button>
      </div>
    </li>
  );
}

export function LibraryPanel(p: Props) {
  return (
    <aside className="pane library" aria-label="Local library" data-testid="library">
      <div className="pane-head">
        <span>Library</span>
        <button className="btn small" onClick={p.onNew} title="Start a new scenario from the default">
          New
        </button>
      </div>
      {p.error && <div className="lib-error" role="alert">{p.error}</div>}
      <div className="lib-section">
        <div className="lib-title">Scenarios <span className="count">{p.scenarios.length}</span></div>
        {p.scenarios.length === 0 ? (
          <div className="lib-empty">Saved scenarios appear here (Ctrl+S).</div>
        ) : (
          <ul>
            {p.scenarios.map((s) => (
              <Item
                key={s.id}
                kind="scenario"
                testId="library-scenario"
                label={s.name}
                sub={`${when(s.updatedAt)}${s.hash ? ` · ${s.hash.slice(0, 8)}` : ' · has problems'}`}
                active={s.id === p.activeScenarioId}
                onOpen={() => p.onOpenScenario(s)}
                onRename={(n) => p.onRenameScenario(s.id, n)}
                onDelete={() => p.onDeleteScenario(s.id)}
              />
            ))}
          </ul>
        )}
      </div>
      <div className="lib-section">
        <div className="lib-title">Runs <span className="count">{p.runs.length}</span></div>
        {p.runs.length === 0 ? (
          <div className="lib-empty">Runs are saved with their scenario.</div>
        ) : (
          <ul>
            {p.runs.map((r) => (
              <Item
                key={r.id}
                kind="run"
                testId="library-run"
                label={r.name}
                sub={`${when(r.createdAt)} · ${r.steps.toLocaleString('en-US')} steps${r.criteriaSummary ? ` · ${criteriaText(r.criteriaSummary)}` : ''}`}
                active={r.id === p.activeRunId}
                onOpen={() => void p.onOpenRun(r)}
                onRename={(n) => p.onRenameRun(r.id, n)}
                onDelete={() => p.onDeleteRun(r.id)}
              />
            ))}
          </ul>
        )}
      </div>
    </aside>
  );
}

/** "3 pass", "2 pass · 1 fail": a v2 run's criteria in the list. */
function criteriaText(c: { pass: number; fail: number; inconclusive: number }): string {
  const parts = [`${c.pass} pass`];
  if (c.fail) parts.push(`${c.fail} fail`);
  if (c.inconclusive) parts.push(`${c.inconclusive} inconclusive`);
  return parts.join(' · ');
}
