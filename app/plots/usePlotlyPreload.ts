'use client';
// Loads Plotly before the first result is drawn, once the page is idle (the workbench and the
// replay page). The root element's data-plotly says where this is (idle / loading / ready / failed).
import { useEffect, type RefObject } from 'react';

/**
 * Plotly's bundle (1.15 MB) is evaluated in one main-thread task of 0.2-0.5 s that cannot be
 * split (docs/ui.md "Measured"). It is loaded before the first Run, once the page is idle: an idle
 * period of at least PRELOAD_IDLE_MS (requestIdleCallback's timeRemaining(), at most 50 ms: no
 * frame pending) with no key, pointer or wheel input for PRELOAD_QUIET_MS and no run. A page that
 * never has such a period (frames requested all the time: idle callbacks come with a few ms each)
 * takes any idle callback after PRELOAD_TIMEOUT_MS, still only with no recent input and no run;
 * where requestIdleCallback is missing, a timer tries. A Run before that loads Plotly itself.
 */
const PRELOAD_IDLE_MS = 40;
const PRELOAD_QUIET_MS = 1500;
const PRELOAD_TIMEOUT_MS = 8000;
const PRELOAD_INPUT_EVENTS = ['keydown', 'pointerdown', 'wheel'] as const;

/** `busyRef.current` true: a run is going on (it loads Plotly itself, overlapping the worker). */
export function usePlotlyPreload(rootRef: RefObject<HTMLElement | null>, busyRef: RefObject<unknown>): void {
  useEffect(() => {
    const root = rootRef.current;
    let cancelled = false;
    const sinceMs = performance.now();
    let lastInputMs = sinceMs;
    let idleId: number | null = null;
    let timerId: ReturnType<typeof setTimeout> | null = null;
    const onInput = () => {
      lastInputMs = performance.now();
    };
    const stopListening = () => {
      for (const e of PRELOAD_INPUT_EVENTS) window.removeEventListener(e, onInput, { capture: true });
    };
    const schedule = () => {
      const timeout = Math.max(PRELOAD_QUIET_MS, PRELOAD_TIMEOUT_MS - (performance.now() - sinceMs));
      if (typeof window.requestIdleCallback === 'function') idleId = window.requestIdleCallback(attempt, { timeout });
      else timerId = setTimeout(() => attempt(null), PRELOAD_QUIET_MS);
    };
    const attempt = (deadline: IdleDeadline | null) => {
      idleId = timerId = null;
      if (cancelled) return;
      // A run loads Plotly itself (overlapping the worker), as without the preload.
      if (busyRef.current) return stopListening();
      const idle =
        !deadline || deadline.didTimeout || deadline.timeRemaining() >= PRELOAD_IDLE_MS || performance.now() - sinceMs >= PRELOAD_TIMEOUT_MS;
      if (!idle || performance.now() - lastInputMs < PRELOAD_QUIET_MS) return schedule();
      stopListening();
      if (root) root.dataset.plotly = 'loading';
      import('./Plots')
        .then((m) => m.loadPlotly())
        .then(
          () => {
            if (root) root.dataset.plotly = 'ready';
          },
          () => {
            // the results view reports a load failure when it needs Plotly
            if (root) root.dataset.plotly = 'failed';
          },
        );
    };
    for (const e of PRELOAD_INPUT_EVENTS) window.addEventListener(e, onInput, { capture: true, passive: true });
    if (root) root.dataset.plotly = 'idle';
    schedule();
    return () => {
      cancelled = true;
      stopListening();
      if (idleId !== null) window.cancelIdleCallback(idleId);
      if (timerId !== null) clearTimeout(timerId);
    };
  }, []);
}
