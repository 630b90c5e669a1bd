'use client';
// Loads a shared scenario from the server (GET /api/scenarios/<id>), validates it again in the
// browser (never trust link content), then opens it in the workbench.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { parseScenarioText } from '../../../sim/scenario/validate';
import { Workbench } from '../../workbench/Workbench';
import { formatPath } from '../../workbench/issueRanges';

type State =
  | { kind: 'loading' }
  | { kind: 'ok'; text: string }
  | { kind: 'notfound' }
  | { kind: 'error'; message: string };

export function SharedScenario({ id }: { id: string }) {
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    (async () => {
      try {
        const res = await fetch(`/api/scenarios/${id}`, { signal: ctrl.signal, headers: { accept: 'application/json' } });
        if (res.status === 404) return setState({ kind: 'notfound' });
        const body = (await res.json().catch(() => null)) as { scenario?: unknown; error?: string } | null;
        if (!res.ok || !body || body.scenario === undefined) {
          return setState({ kind: 'error', message: `The server answered ${res.status}${body?.error ? `: ${body.error}` : ''}.` });
        }
        const text = JSON.stringify(body.scenario, null, 2) + '\n';
        const v = parseScenarioText(text);
        if (!v.ok) {
          const first = v.issues[0];
          return setState({
            kind: 'error',
            message: `The stored scenario is not valid for this version of Twinbench (${formatPath(first.path)}: ${first.message}).`,
          });
        }
        setState({ kind: 'ok', text });
      } catch (e) {
        if (ctrl.signal.aborted) return;
        setState({ kind: 'error', message: `The server could not be reached (${e instanceof Error ? e.message : String(e)}).` });
      }
    })();
    return () => ctrl.abort();
  }, [id, attempt]);

  if (state.kind === 'ok') {
    return <Workbench initialText={state.text} sharedId={id} initialNotice={{ kind: 'info', text: 'Opened a shared scenario. Run it to reproduce the shared results (same engine version and seed give the same numbers).' }} />;
  }
  if (state.kind === 'loading') {
    return (
      <main className="message-page" aria-busy="true">
        <h1>Opening shared scenario…</h1>
        <p className="muted">{id}</p>
      </main>
    );
  }
  if (state.kind === 'notfound') {
    return (
      <main className="message-page" data-testid="share-not-found">
        <h1>Scenario not found</h1>
        <p>
          No scenario with id <code>{id}</code> is stored on this server. Links are tied to the server they were
          made on; the scenario may have been shared from another Twinbench instance.
        </p>
        <p>
          <Link href="/">Open the workbench</Link>
        </p>
      </main>
    );
  }
  return (
    <main className="message-page" role="alert">
      <h1>Could not open the shared scenario</h1>
      <p>{state.message}</p>
      <p>
        <button className="btn" onClick={() => { setState({ kind: 'loading' }); setAttempt((a) => a + 1); }}>
          Try again
        </button>{' '}
        <Link href="/">Open the workbench</Link>
      </p>
    </main>
  );
}
