'use client';
// Criteria of a version-2 run: one row per criterion with a pass / fail / inconclusive badge,
// the time it was decided (click: move the cursor there) and the evaluator's detail.
import type { CriterionResult } from '../../sim/system/types';
import { fmtTime } from './cursor';

interface Props {
  criteria: CriterionResult[];
  durationS: number;
  onSeek: (tS: number) => void;
}

const BADGE: Record<CriterionResult['result'], string> = { pass: '✓ pass', fail: '✗ fail', inconclusive: '? inconclusive' };

export function CriteriaPanel({ criteria, durationS, onSeek }: Props) {
  if (criteria.length === 0) return null;
  const count = (r: CriterionResult['result']) => criteria.filter((c) => c.result === r).length;
  return (
    <section className="v2-block criteria" aria-label="Criteria" data-testid="criteria">
      <div className="v2-head">
        Criteria
        <span className="v2-counts">
          <span className="badge pass">{count('pass')} pass</span>
          {count('fail') > 0 && <span className="badge fail">{count('fail')} fail</span>}
          {count('inconclusive') > 0 && <span className="badge inconclusive">{count('inconclusive')} inconclusive</span>}
        </span>
      </div>
      <ul className="criteria-list">
        {criteria.map((c) => (
          <li key={c.id} className={`criterion ${c.result}`} data-testid="criterion" data-result={c.result} data-id={c.id}>
            <span className={`badge ${c.result}`}>{BADGE[c.result]}</span>
            <span className="criterion-id">{c.id}</span>
            {c.t_s !== null ? (
              <button className="linkish" onClick={() => onSeek(c.t_s!)} title="Move the cursor to this time">
                {fmtTime(c.t_s, durationS)}
              </button>
            ) : (
              <span className="muted">–</span>
            )}
            <span className="criterion-text" title={c.text}>
              <code>{c.text}</code>
              <span className="muted"> · {c.detail}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
