'use client';
// The workbench: scenario editor (Monaco), problems list, run controls (Run / progress / Cancel),
// plots, metrics, local library (Dexie), CSV export and sharing. The engine runs only in the
// runner worker; this component validates, orchestrates and draws.
import Link from 'next/link';
import { memo, startTransition, useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { isSystemScenario, parseScenarioText } from '../../sim/scenario/validate';
import { scenarioJsonSchema } from '../../sim/scenario/jsonSchema';
import { scenarioHash } from '../../sim/scenario/hash';
import type { AnyScenario as Scenario } from '../../sim/scenario/validate';
import { Runner, type RunnerProgress } from '../../workers/runner/Runner';
import { getLibrary, type RunLike, type RunRecord, type ScenarioRecord } from '../library/db';
import { ScenarioEditor, type ScenarioEditorHandle } from './ScenarioEditor';
import { formatPath, locateIssues, type LocatedIssue } from './issueRanges';
import { decodeFragment, encodeFragment } from './shareLinks';
import { BUILT_IN_SCENARIOS, DEFAULT_SCENARIO_TEXT } from './builtins';
import { LibraryPanel } from './LibraryPanel';
import { fetchProfiles, type FetchProgress } from './profileFetch';
import { RunResults } from './RunResults';
import { ParamsBar, paramOverrides } from './ParamsBar';
import { usePlotlyPreload } from '../plots/usePlotlyPreload';
import './workbench.css';

type Validation =
  | { ok: true; scenario: Scenario; hash: string; issues: LocatedIssue[] }
  | { ok: false; issues: LocatedIssue[] };

interface ShownRun {
  run: RunLike;
  key: string;
  name: string;
  elapsedMs?: number;
  engineMs?: number;
  savedRunId?: number;
  fromLibrary?: boolean;
}

interface Notice {
  kind: 'info' | 'success' | 'error';
  text: string;
}

export interface WorkbenchProps {
  /** Scenario text to open (from a share link); otherwise the fragment, the draft or the default. */
  initialText?: string;
  initialNotice?: Notice;
  /** The share id this page was opened from, if any. */
  sharedId?: string;
}

const DRAFT_KEY = 'twinbench.draft.v2';
/** Minimum time between two progress renders during a run. */
const PROGRESS_EVERY_MS = 150;
/** how long a success notice stays */
const SUCCESS_NOTICE_MS = 6000;

/** What the run status in the toolbar shows while a run is prepared and computed. */
interface RunStatusState {
  progress: RunnerProgress | null;
  /** Profile files being fetched before a v2 run starts (null when not fetching). */
  fetching: FetchProgress | null;
}

/**
 * Holds the run status outside React state: a progress update (up to ~6 a second) re-renders only
 * <RunStatus>, not the workbench (editor, library, results). Read with useSyncExternalStore.
 */
class RunStatusStore {
  private state: RunStatusState = { progress: null, fetching: null };
  private readonly listeners = new Set<() => void>();
  readonly get = (): RunStatusState => this.state;
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  };
  set(patch: Partial<RunStatusState>): void {
    if (Object.entries(patch).every(([k, v]) => this.state[k as keyof RunStatusState] === v)) return;
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }
}

const LibraryPanelMemo = memo(LibraryPanel);
const ScenarioEditorMemo = memo(ScenarioEditor);

/** The unsaved editor state kept across reloads (never for shared pages). */
interface Draft {
  text: string;
  libraryId: number | null;
  name: string;
}

function readDraft(): Draft | null {
  try {
    const raw = localStorage.getItem(DRAFT_KEY);
    if (!raw || raw.length > 2_500_000) return null;
    const d = JSON.parse(raw) as Partial<Draft>;
    if (typeof d.text !== 'string') return null;
    return {
      text: d.text,
      libraryId: typeof d.libraryId === 'number' && Number.isInteger(d.libraryId) ? d.libraryId : null,
      name: typeof d.name === 'string' ? d.name.slice(0, 200) : '',
    };
  } catch {
    return null;
  }
}

function validate(text: string): Validation {
  const r = parseScenarioText(text);
  if (!r.ok) return { ok: false, issues: locateIssues(text, r.issues) };
  return { ok: true, scenario: r.scenario, hash: scenarioHash(r.scenario), issues: [] };
}

function fmt(n: number, digits = 4): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return n.toExponential(3);
  return Number(n.toPrecision(digits)).toString();
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '–';
  if (s < 120) return `${fmt(s, 3)} s`;
  if (s < 7200) return `${fmt(s / 60, 3)} min`;
  return `${fmt(s / 3600, 3)} h`;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'scenario';
}

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

/**
 * Progress bar and text of the toolbar: the only part that re-renders per progress update. The
 * bar's fill is scaled with a transform (composited, no layout); the text box has a fixed size
 * and contains its layout and paint (workbench.css), so a new text re-lays out only itself.
 */
const RunStatus = memo(function RunStatus({ store, running }: { store: RunStatusStore; running: false | 'running' | 'cancelling' }) {
  const { progress, fetching } = useSyncExternalStore(store.subscribe, store.get, store.get);
  const pct = progress ? Math.round(progress.progress * 1000) / 10 : 0;
  const progressText =
    running === 'cancelling'
      ? 'Cancelling…'
      : running && fetching
        ? `Fetching data ${Math.min(fetching.done + 1, fetching.total)}/${fetching.total}${fetching.key ? ` · ${fetching.key}` : ''}`
      : running
        ? `${pct.toFixed(1)} % · ${fmtDuration(progress?.simTimeS ?? 0)} simulated`
        : progress?.done
          ? `Done · ${fmtDuration(progress.simTimeS)} in ${fmt((progress.elapsedMs ?? 0) / 1000, 3)} s`
          : 'Ready';
  return (
    <div className={`progress ${running ? 'active' : ''}`} aria-live="polite">
      <div
        className="progress-bar"
        role="progressbar"
        aria-label="Run progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="progress"
      >
        <div className="progress-fill" style={{ transform: `scaleX(${pct / 100})` }} />
      </div>
      <span className="progress-text" data-testid="progress-text" title={progressText}>
        {progressText}
      </span>
    </div>
  );
});

export function Workbench({ initialText, initialNotice, sharedId }: WorkbenchProps) {
  const editor = useRef<ScenarioEditorHandle>(null);
  const runner = useRef<Runner | null>(null);
  const textRef = useRef<string>(initialText ?? DEFAULT_SCENARIO_TEXT);
  const [startText] = useState(() => textRef.current);
  const [validation, setValidation] = useState<Validation>(() => validate(textRef.current));
  const [name, setName] = useState('');
  const [libraryId, setLibraryId] = useState<number | null>(null);
  const [seedText, setSeedText] = useState('');
  const [running, setRunning] = useState<false | 'running' | 'cancelling'>(false);
  const [status] = useState(() => new RunStatusStore());
  const setProgress = useCallback((p: RunnerProgress | null) => status.set({ progress: p }), [status]);
  const setFetching = useCallback((f: FetchProgress | null) => status.set({ fetching: f }), [status]);
  const rootRef = useRef<HTMLDivElement>(null);
  const fetchAbort = useRef<AbortController | null>(null);
  const cancelBeforeRun = useRef(false);
  /** $parameter values typed for v2 scenarios (empty: the scenario's default). */
  const [paramText, setParamText] = useState<Record<string, string>>({});
  const [shown, setShown] = useState<ShownRun | null>(null);
  const [notice, setNotice] = useState<Notice | null>(initialNotice ?? null);
  // A success notice ("Saved ...", "Link copied.") goes away by itself; errors and information stay
  // until dismissed or replaced.
  useEffect(() => {
    if (notice?.kind !== 'success') return;
    const id = window.setTimeout(() => setNotice((n) => (n === notice ? null : n)), SUCCESS_NOTICE_MS);
    return () => window.clearTimeout(id);
  }, [notice]);
  const [share, setShare] = useState<{ url?: string; fragmentUrl?: string; error?: string; busy?: boolean } | null>(null);
  const [scenarios, setScenarios] = useState<ScenarioRecord[]>([]);
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [engineVersion, setEngineVersion] = useState('');
  const [libraryError, setLibraryError] = useState('');
  const schema = useMemo(() => scenarioJsonSchema() as object, []);
  const validateTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const scenarioName = validation.ok ? (validation.scenario as { name?: string }).name ?? '' : '';
  /** The name for a fresh validation (state may lag the editor by the debounce). */
  const nameFor = useCallback(
    (v: Validation) => name.trim() || (v.ok ? (v.scenario as { name?: string }).name : '') || 'Untitled scenario',
    [name],
  );

  const refreshLibrary = useCallback(async () => {
    try {
      const lib = getLibrary();
      const [s, r] = await Promise.all([lib.listScenarios(), lib.listRuns()]);
      setScenarios(s);
      setRuns(r);
      setLibraryError('');
    } catch (e) {
      setLibraryError(`The local library is unavailable (${e instanceof Error ? e.message : String(e)}). Private windows may block IndexedDB.`);
    }
  }, []);

  // Start the worker early (it compiles the engine off the main thread) and load the library.
  useEffect(() => {
    const r = new Runner();
    runner.current = r;
    r.engineVersion().then(setEngineVersion, () => setEngineVersion('unavailable'));
    void refreshLibrary();
    return () => {
      r.terminate();
      runner.current = null;
    };
  }, [refreshLibrary]);

  // Open a scenario carried in the URL fragment (#s=...), after validating it; else the draft.
  useEffect(() => {
    if (initialText !== undefined) return;
    const frag = decodeFragment(window.location.hash);
    if (frag.kind === 'ok') {
      const v = validate(frag.text);
      if (v.ok) {
        editor.current?.setValue(frag.text);
        textRef.current = frag.text;
        setValidation(v);
        setNotice({ kind: 'info', text: 'Opened the scenario carried in the link. Run it to reproduce the shared results.' });
      } else {
        const first = v.issues[0];
        setNotice({
          kind: 'error',
          text: `The scenario in this link is not valid and was not opened (${v.issues.length} problem${v.issues.length === 1 ? '' : 's'}; first: ${formatPath(first.path)}: ${first.message}).`,
        });
      }
      history.replaceState(null, '', window.location.pathname + window.location.search);
      return;
    }
    if (frag.kind === 'error') {
      setNotice({ kind: 'error', text: frag.message });
      history.replaceState(null, '', window.location.pathname + window.location.search);
      return;
    }
    const draft = readDraft();
    if (draft) {
      if (draft.text !== textRef.current) {
        editor.current?.setValue(draft.text);
        textRef.current = draft.text;
        setValidation(validate(draft.text));
      }
      setLibraryId(draft.libraryId);
      setName(draft.name);
    }
  }, [initialText]);

  // Keep the draft (text, which library entry it is, its name) so a reload loses nothing.
  // Written after each (debounced) validation and on library/name changes, not per keystroke.
  const draftReady = useRef(false);
  const persistDraft = useCallback(
    (d: Draft) => {
      if (initialText !== undefined) return;
      try {
        localStorage.setItem(DRAFT_KEY, JSON.stringify(d));
      } catch {
        /* storage full or unavailable: the draft is a convenience only */
      }
    },
    [initialText],
  );
  useEffect(() => {
    // Skip the first pass: the restore above has queued its state updates but not applied them.
    if (!draftReady.current) {
      draftReady.current = true;
      return;
    }
    persistDraft({ text: textRef.current, libraryId, name });
  }, [persistDraft, libraryId, name, validation]);

  /**
   * validate() of the last text validated: Run / Save / Share re-validate the editor's text, which
   * the debounced validation has usually just checked (the zod parse + hash of a large v2 scenario
   * is tens of ms in the click's task). validate() is a pure function of the text.
   */
  const lastValidation = useRef<{ text: string; v: Validation } | null>(null);
  const validateText = useCallback((text: string): Validation => {
    const last = lastValidation.current;
    if (last && last.text === text) return last.v;
    const v = validate(text);
    lastValidation.current = { text, v };
    return v;
  }, []);

  const revalidateNow = useCallback((): Validation => {
    if (validateTimer.current) clearTimeout(validateTimer.current);
    const v = validateText(textRef.current);
    setValidation(v);
    return v;
  }, [validateText]);

  const onChange = useCallback(
    (text: string) => {
      textRef.current = text;
      if (validateTimer.current) clearTimeout(validateTimer.current);
      validateTimer.current = setTimeout(() => setValidation(validateText(text)), 180);
      setShare(null);
    },
    [validateText],
  );

  const seed = useMemo(() => {
    const t = seedText.trim();
    if (!t) return { ok: true as const, value: undefined };
    const n = Number(t);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) return { ok: false as const, value: undefined };
    return { ok: true as const, value: n };
  }, [seedText]);

  const runningRef = useRef(false);
  const run = useCallback(async () => {
    // The ref guards against a second Run before React has re-rendered (double Ctrl+Enter).
    if (running || runningRef.current || !runner.current) return;
    const v = revalidateNow();
    if (!v.ok) {
      setNotice({ kind: 'error', text: `Fix ${v.issues.length} problem${v.issues.length === 1 ? '' : 's'} before running (listed under the editor).` });
      return;
    }
    if (!seed.ok) {
      setNotice({ kind: 'error', text: 'Seed must be a whole number from 0 to 4294967295 (or empty for the scenario seed).' });
      return;
    }
    setNotice(null);
    runningRef.current = true;
    cancelBeforeRun.current = false;
    // Fetch and evaluate the plotting code while the worker runs (first run only costs anything).
    void import('../plots/Plots').then((m) => m.loadPlotly()).catch(() => undefined);
    setRunning('running');
    setProgress({ done: false, progress: 0, simTimeS: 0, steps: 0, elapsedMs: 0 });
    let frame = 0;
    let lastShown = 0;
    let latest: RunnerProgress | null = null;
    // A v2 scenario may read CSV profiles under the data folder: the worker lists them, the page
    // fetches them from the server (shown in the progress text), the worker gets their texts.
    let profiles: Record<string, string> | undefined;
    let params: Record<string, string | number> | undefined;
    if (isSystemScenario(v.scenario)) {
      params = paramOverrides(v.scenario.parameters ?? {}, paramText);
      try {
        const keys = await runner.current.profileFiles(v.scenario, params);
        if (keys.length) {
          const ac = new AbortController();
          fetchAbort.current = ac;
          profiles = await fetchProfiles(keys, { onProgress: setFetching, signal: ac.signal });
        }
      } catch (e) {
        const aborted = fetchAbort.current?.signal.aborted;
        fetchAbort.current = null;
        setFetching(null);
        runningRef.current = false;
        setRunning(false);
        setProgress(null);
        setNotice(aborted ? { kind: 'info', text: 'Run cancelled while fetching its data files.' } : { kind: 'error', text: `The run did not start: ${e instanceof Error ? e.message : String(e)}` });
        return;
      }
      fetchAbort.current = null;
      setFetching(null);
      if (cancelBeforeRun.current) {
        cancelBeforeRun.current = false;
        runningRef.current = false;
        setRunning(false);
        setProgress(null);
        setNotice({ kind: 'info', text: 'Run cancelled before it started.' });
        return;
      }
    }
    const outcome = await runner.current.run(v.scenario, {
      seed: seed.value,
      profiles,
      params,
      onProgress: (p) => {
        latest = p;
        // At most ~6 progress renders a second, one per animation frame: each one re-renders
        // <RunStatus> only (its own store), and repaints the toolbar's status.
        if (!frame && performance.now() - lastShown >= PROGRESS_EVERY_MS) {
          frame = requestAnimationFrame(() => {
            frame = 0;
            lastShown = performance.now();
            if (latest) setProgress(latest);
          });
        }
      },
    });
    if (frame) cancelAnimationFrame(frame);
    runningRef.current = false;
    setRunning(false);
    if (outcome.status === 'done') {
      const r = outcome.result;
      setProgress({ done: true, progress: 1, simTimeS: r.durationS, steps: r.steps, elapsedMs: outcome.elapsedMs });
      // The new result as a transition: React renders the results (criteria, event list, channel
      // picker, heat map...) in slices that yield to the browser, so only the commit is one task;
      // the toolbar (Run enabled again, "Done") is committed first.
      startTransition(() => {
        setShown({
          run: r,
          key: `${r.scenarioHash}:${r.seed}:${Date.now()}`,
          name: nameFor(v),
          elapsedMs: outcome.elapsedMs,
          engineMs: outcome.engineMs,
        });
        setNotice(
          r.warnings.length
            ? { kind: 'info', text: `Run finished with ${r.warnings.length} warning${r.warnings.length === 1 ? '' : 's'}: ${r.warnings.slice(0, 3).join('; ')}` }
            : null,
        );
      });
    } else if (outcome.status === 'cancelled') {
      setProgress(null);
      setNotice({ kind: 'info', text: `Run cancelled at ${Math.round(outcome.progress * 100)} %.` });
    } else if (outcome.status === 'invalid') {
      setProgress(null);
      setNotice({ kind: 'error', text: `The runner refused the scenario: ${outcome.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}` });
    } else {
      setProgress(null);
      setNotice({ kind: 'error', text: `The run failed: ${outcome.message}` });
    }
  }, [running, revalidateNow, seed, nameFor, paramText, setProgress, setFetching]);

  const cancel = useCallback(() => {
    if (running !== 'running') return;
    setRunning('cancelling');
    cancelBeforeRun.current = true;
    fetchAbort.current?.abort();
    runner.current?.cancel();
  }, [running]);

  const save = useCallback(async () => {
    const v = revalidateNow();
    const saveName = nameFor(v);
    try {
      const lib = getLibrary();
      const id = await lib.saveScenario({ id: libraryId, name: saveName, text: textRef.current, hash: v.ok ? v.hash : '' });
      setLibraryId(id);
      if (!name.trim()) setName(saveName);
      let withRun = false;
      if (shown && !shown.fromLibrary && shown.savedRunId === undefined && v.ok && shown.run.scenarioHash === v.hash) {
        const runId = await lib.saveRun(shown.run, { name: `${saveName} · seed ${shown.run.seed}`, scenarioId: id });
        setShown({ ...shown, savedRunId: runId });
        withRun = true;
      }
      await refreshLibrary();
      setNotice({ kind: 'success', text: `Saved “${saveName}” to the local library${withRun ? ' with its run' : ''}${v.ok ? '' : ' (it still has problems)'}.` });
    } catch (e) {
      setNotice({ kind: 'error', text: `Could not save: ${e instanceof Error ? e.message : String(e)}` });
    }
  }, [revalidateNow, nameFor, libraryId, name, shown, refreshLibrary]);

  const doShare = useCallback(async () => {
    const v = revalidateNow();
    if (!v.ok) {
      setNotice({ kind: 'error', text: 'Only a valid scenario can be shared: fix the problems first.' });
      return;
    }
    const text = textRef.current;
    const frag = encodeFragment(text);
    const fragmentUrl = frag ? `${window.location.origin}/#${frag}` : undefined;
    setShare({ busy: true, fragmentUrl });
    try {
      const res = await fetch('/api/scenarios', { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
      const body = (await res.json().catch(() => ({}))) as { id?: string; url?: string; error?: string; issues?: { path: (string | number)[]; message: string }[] };
      if (!res.ok || !body.id) {
        const detail = body.issues?.length ? `: ${body.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ')}` : '';
        setShare({ fragmentUrl, error: `The server did not store the scenario (${res.status} ${body.error ?? res.statusText}${detail}).` });
        return;
      }
      setShare({ url: `${window.location.origin}${body.url ?? `/s/${body.id}`}`, fragmentUrl });
    } catch (e) {
      setShare({ fragmentUrl, error: `The server could not be reached (${e instanceof Error ? e.message : String(e)}).${fragmentUrl ? ' The link below works without it.' : ''}` });
    }
  }, [revalidateNow]);

  const exportCsv = useCallback(async () => {
    if (!shown || !runner.current) return;
    try {
      const csv = await runner.current.toCsv(shown.run);
      const blob = new Blob([csv], { type: 'text/csv;charset=utf-8' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${slug(shown.name)}-${shown.run.scenarioHash.slice(0, 8)}-seed${shown.run.seed}.csv`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setNotice({ kind: 'error', text: `CSV export failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }, [shown]);

  const loadText = useCallback(
    (text: string, opts: { name?: string; id?: number | null } = {}) => {
      editor.current?.setValue(text);
      textRef.current = text;
      setValidation(validateText(text));
      setName(opts.name ?? '');
      setLibraryId(opts.id ?? null);
      setShare(null);
    },
    [validateText],
  );

  // Global shortcuts (the editor registers the same ones while it has focus).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key === 'Enter') {
        e.preventDefault();
        void run();
      } else if (mod && (e.key === 's' || e.key === 'S')) {
        e.preventDefault();
        void save();
      } else if (e.key === 'Escape') {
        if (running === 'running') cancel();
        else if (share) setShare(null);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run, save, cancel, running, share]);

  // Load Plotly while the page is idle, so the first Run does not pay its bundle evaluation.
  usePlotlyPreload(rootRef, runningRef);

  // Stable callbacks for the memoised editor and library (they re-render only when their data
  // changes, not when a run starts or ends).
  const runRef = useRef(run);
  runRef.current = run;
  const saveRef = useRef(save);
  saveRef.current = save;
  const shownRef = useRef(shown);
  shownRef.current = shown;
  const onEditorRun = useCallback(() => void runRef.current(), []);
  const onEditorSave = useCallback(() => void saveRef.current(), []);
  const onOpenScenario = useCallback((s: ScenarioRecord) => loadText(s.text, { name: s.name, id: s.id }), [loadText]);
  const onNew = useCallback(() => loadText(DEFAULT_SCENARIO_TEXT), [loadText]);
  const onRenameScenario = useCallback(
    async (id: number, n: string) => {
      await getLibrary().renameScenario(id, n);
      if (id === libraryId) setName(n);
      await refreshLibrary();
    },
    [libraryId, refreshLibrary],
  );
  const onDeleteScenario = useCallback(
    async (id: number) => {
      await getLibrary().deleteScenario(id);
      if (id === libraryId) setLibraryId(null);
      await refreshLibrary();
    },
    [libraryId, refreshLibrary],
  );
  const onOpenRun = useCallback(
    async (r: RunRecord) => {
      const loaded = await getLibrary().loadRun(r.id);
      if (!loaded) return;
      setShown({ run: loaded, key: `lib:${r.id}`, name: r.name, savedRunId: r.id, fromLibrary: true });
      setProgress(null);
    },
    [setProgress],
  );
  const onRenameRun = useCallback(
    async (id: number, n: string) => {
      await getLibrary().renameRun(id, n);
      await refreshLibrary();
    },
    [refreshLibrary],
  );
  const onDeleteRun = useCallback(
    async (id: number) => {
      await getLibrary().deleteRun(id);
      if (shownRef.current?.savedRunId === id) setShown(null);
      await refreshLibrary();
    },
    [refreshLibrary],
  );

  const issues = validation.issues;
  const metrics = shown ? Object.entries(shown.run.metrics) : [];

  return (
    <div className="wb" ref={rootRef}>
      <header className="toolbar" role="toolbar" aria-label="Workbench">
        <div className="brand">
          <span className="logo" aria-hidden>
            ▮▮▯
          </span>
          Twinbench
        </div>
        <input
          className="name-input"
          aria-label="Scenario name"
          placeholder={scenarioName || 'Untitled scenario'}
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
        />
        <div className="sep" />
        <button className="btn primary" onClick={() => void run()} disabled={!!running} title="Run (Ctrl+Enter)" data-testid="run">
          ▶ Run
        </button>
        <RunStatus store={status} running={running} />
        <button className="btn" onClick={cancel} disabled={running !== 'running'} title="Cancel (Esc)" data-testid="cancel">
          ■ Cancel
        </button>
        <label className="seed">
          Seed
          <input
            aria-label="Seed (empty: the scenario's seed)"
            placeholder="scenario"
            inputMode="numeric"
            value={seedText}
            onChange={(e) => setSeedText(e.target.value)}
            className={seed.ok ? '' : 'invalid'}
          />
        </label>
        <div className="sep" />
        <button className="btn" onClick={() => void save()} title="Save to the local library (Ctrl+S)" data-testid="save">
          Save
        </button>
        <button className="btn" onClick={() => void doShare()} title="Share a link to this scenario" data-testid="share">
          Share
        </button>
        <button className="btn" onClick={() => void exportCsv()} disabled={!shown} title="Export the shown run as CSV" data-testid="export-csv">
          Export CSV
        </button>
        <select
          className="examples"
          aria-label="Open a built-in scenario"
          value=""
          onChange={(e) => {
            const b = BUILT_IN_SCENARIOS.find((x) => x.file === e.target.value);
            if (b) loadText(b.text);
          }}
        >
          <option value="">Examples…</option>
          {([1, 2] as const).map((ver) => (
            <optgroup key={ver} label={ver === 1 ? 'Cell and pack experiments' : 'Systems, faults and criteria (v2)'}>
              {BUILT_IN_SCENARIOS.filter((b) => b.version === ver).map((b) => (
                <option key={b.file} value={b.file}>
                  {b.title}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        {/* not prefetched: the workbench's idle page JS stays its own (docs/ui.md) */}
        <nav className="page-links" aria-label="Other pages">
          <Link href="/replay" prefetch={false} title="Replay a measured cell record (CSV) through the twin and the SOC EKF">
            Replay
          </Link>
          <Link href="/live" prefetch={false} title="Live devices: real and twin signals side by side">
            Live
          </Link>
          <Link href="/fleet" prefetch={false} title="Fleet view and alerts">
            Fleet
          </Link>
        </nav>
      </header>

      {share && (
        <div className="share-panel" role="dialog" aria-label="Share links" data-testid="share-panel">
          {share.busy && <span>Storing the scenario on the server…</span>}
          {seed.value !== undefined && (
            <span className="muted">
              Links carry the scenario with its own seed; your seed override ({seed.value}) is not part of them.
            </span>
          )}
          {share.error && <span className="error-text">{share.error}</span>}
          {share.url && (
            <div className="share-row">
              <span className="share-label">Link</span>
              <input readOnly value={share.url} data-testid="share-url" onFocus={(e) => e.currentTarget.select()} />
              <button className="btn" onClick={() => void copyText(share.url!).then((ok) => setNotice(ok ? { kind: 'success', text: 'Link copied.' } : { kind: 'error', text: 'Copy failed; select the link and copy it.' }))}>
                Copy
              </button>
            </div>
          )}
          {share.fragmentUrl && (
            <div className="share-row">
              <span className="share-label" title="Carries the whole scenario in the URL; opens without the server">
                Offline link
              </span>
              <input readOnly value={share.fragmentUrl} data-testid="share-fragment-url" onFocus={(e) => e.currentTarget.select()} />
              <button className="btn" onClick={() => void copyText(share.fragmentUrl!).then((ok) => setNotice(ok ? { kind: 'success', text: 'Offline link copied.' } : { kind: 'error', text: 'Copy failed; select the link and copy it.' }))}>
                Copy
              </button>
            </div>
          )}
          <button className="btn ghost close" onClick={() => setShare(null)} aria-label="Close share panel">
            ✕
          </button>
        </div>
      )}

      {/* A toast over the lower right of the panes, not in the flow: a notice (a run's warnings,
          Saved...) appearing or going away must not resize the panes, which would redraw every
          plot panel, nor hide the pane headers. */}
      <div className="notice-slot">
        {notice && (
          <div className={`notice ${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'} data-testid="notice">
            <span>{notice.text}</span>
            <button className="btn ghost" onClick={() => setNotice(null)} aria-label="Dismiss">
              ✕
            </button>
          </div>
        )}
      </div>

      <main className="panes">
        <LibraryPanelMemo
          scenarios={scenarios}
          runs={runs}
          activeScenarioId={libraryId}
          activeRunId={shown?.savedRunId ?? null}
          error={libraryError}
          onOpenScenario={onOpenScenario}
          onNew={onNew}
          onRenameScenario={onRenameScenario}
          onDeleteScenario={onDeleteScenario}
          onOpenRun={onOpenRun}
          onRenameRun={onRenameRun}
          onDeleteRun={onDeleteRun}
        />

        <section className="pane editor-pane" aria-label="Scenario">
          <div className="pane-head">
            <span>Scenario</span>
            <span className="muted">
              {sharedId ? `shared ${sharedId.slice(0, 12)}… · ` : ''}
              {validation.ok ? `valid · ${validation.hash.slice(0, 12)}` : `${issues.length} problem${issues.length === 1 ? '' : 's'}`}
            </span>
          </div>
          <ScenarioEditorMemo
            ref={editor}
            initialValue={startText}
            schema={schema}
            issues={issues}
            onChange={onChange}
            onRun={onEditorRun}
            onSave={onEditorSave}
          />
          <div className={`problems ${issues.length ? 'has' : ''}`} aria-label="Problems" data-testid="problems">
            <div className="problems-head">
              Problems <span className="count">{issues.length}</span>
            </div>
            {issues.length === 0 ? (
              <div className="problems-empty">No problems. Ctrl+Enter runs, Ctrl+S saves.</div>
            ) : (
              <ul>
                {issues.map((i, k) => (
                  <li key={k}>
                    <button className="problem" onClick={() => editor.current?.reveal(i.range)} data-testid="problem">
                      <span className="where">
                        {i.range.startLineNumber}:{i.range.startColumn}
                      </span>
                      <span className="path">{formatPath(i.path)}</span>
                      <span className="msg">{i.message}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        </section>

        <section className="pane results-pane" aria-label="Results">
          <div
            className="pane-head"
            data-testid="run-summary"
            data-elapsed-ms={shown?.elapsedMs}
            data-engine-ms={shown?.engineMs}
            data-steps={shown?.run.steps}
            data-run-key={shown?.key}
          >
            <span>Results{shown ? ` · ${shown.name}` : ''}</span>
            <span className="muted">
              {shown
                ? `${shown.run.steps.toLocaleString('en-US')} steps · ${fmtDuration(shown.run.durationS)} · seed ${shown.run.seed}${shown.engineMs !== undefined ? ` · engine ${fmt(shown.engineMs, 3)} ms` : ''}${shown.fromLibrary ? ' · from library' : ''}`
                : ''}
            </span>
          </div>
          {validation.ok && isSystemScenario(validation.scenario) && (
            <ParamsBar declared={validation.scenario.parameters ?? {}} values={paramText} onChange={setParamText} disabled={!!running} />
          )}
          {shown ? (
            <>
              <div className="metrics" data-testid="metrics">
                {metrics.slice(0, 14).map(([k, val]) => (
                  <div className="metric" key={k}>
                    <div className="metric-k">{k}</div>
                    <div className="metric-v">{fmt(val)}</div>
                  </div>
                ))}
              </div>
              <RunResults run={shown.run} runKey={shown.key} />
            </>
          ) : (
            <div className="empty-results">
              <p>
                Write or pick a scenario, then press <kbd>Ctrl</kbd>+<kbd>Enter</kbd> or <b>Run</b>.
              </p>
              <p className="muted">The twin runs in a Web Worker; voltage, current, SOC and temperature appear here.</p>
            </div>
          )}
        </section>
      </main>

      <footer className="statusbar">
        <span>engine {engineVersion || '…'}</span>
        <span>{validation.ok ? 'scenario valid' : `${issues.length} problem${issues.length === 1 ? '' : 's'}`}</span>
        <span>{libraryId !== null ? `library #${libraryId}` : 'not saved'}</span>
        <span className="grow" />
        <span>Ctrl+Enter run · Esc cancel · Ctrl+S save</span>
      </footer>
    </div>
  );
}
