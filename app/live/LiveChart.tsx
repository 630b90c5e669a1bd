'use client';
// Stacked canvas plots on one time axis with a shared cursor: voltage (real vs twin), residual
// (with the alarm threshold), temperature (real vs twin), SOC (EKF vs twin). The twin traces can
// be shifted by a time offset. Redraws at most once per animation frame.
import { useEffect, useRef, useState } from 'react';
import type { LiveSeries, SeriesName } from './series';

interface Panel {
  title: string;
  unit: string;
  lines: { key: SeriesName; label: string; color: string; twin?: boolean }[];
  bands?: (thresholdV: number) => number[];
}

const PANELS: Panel[] = [
  { title: 'voltage', unit: 'V', lines: [{ key: 'measV', label: 'real', color: '#1f6fd1' }, { key: 'twinV', label: 'twin', color: '#e07b00', twin: true }] },
  { title: 'residual (real - twin)', unit: 'V', lines: [{ key: 'residualV', label: 'residual', color: '#c2453d' }], bands: (th) => [-th, th] },
  { title: 'temperature', unit: 'degC', lines: [{ key: 'measTempC', label: 'real', color: '#1f6fd1' }, { key: 'twinTempC', label: 'twin', color: '#e07b00', twin: true }] },
  { title: 'SOC', unit: '', lines: [{ key: 'ekfSoc', label: 'EKF', color: '#2e8a5e' }, { key: 'twinSoc', label: 'twin', color: '#e07b00', twin: true }] },
];

export function LiveChart({ series, version, offsetS, thresholdV, windowS }: { series: LiveSeries; version: number; offsetS: number; thresholdV: number; windowS: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [cursorX, setCursorX] = useState<number | null>(null);
  const [readout, setReadout] = useState<string>('');

  useEffect(() => {
    const id = requestAnimationFrame(() => draw());
    return () => cancelAnimationFrame(id);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, offsetS, thresholdV, windowS, cursorX]);

  function draw() {
    const c = canvas.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const h = c.clientHeight;
    if (c.width !== Math.round(w * dpr)) c.width = Math.round(w * dpr);
    if (c.height !== Math.round(h * dpr)) c.height = Math.round(h * dpr);
    const g = c.getContext('2d');
    if (!g) return;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    const css = getComputedStyle(c);
    const fg = css.getPropertyValue('--fg') || '#1d232b';
    const grid = css.getPropertyValue('--grid') || '#e6e9ee';
    const muted = css.getPropertyValue('--muted') || '#66707c';
    g.clearRect(0, 0, w, h);
    const n = series.length;
    const left = 56;
    const right = 8;
    const ph = h / PANELS.length;
    if (n === 0) {
      g.fillStyle = muted;
      g.font = '13px system-ui';
      g.fillText('waiting for samples…', left, 24);
      return;
    }
    const tMax = series.t[n - 1];
    const tMin = Math.max(series.t[0], tMax - windowS);
    let i0 = 0;
    while (i0 < n - 1 && series.t[i0] < tMin - Math.abs(offsetS)) i0++;
    const xOf = (t: number) => left + ((t - tMin) / Math.max(1e-9, tMax - tMin)) * (w - left - right);
    const lines: string[] = [];
    let cursorT: number | null = null;
    if (cursorX !== null && cursorX >= left) cursorT = tMin + ((cursorX - left) / (w - left - right)) * (tMax - tMin);
    PANELS.forEach((p, k) => {
      const top = k * ph + 16;
      const bottom = (k + 1) * ph - 6;
      let lo = Infinity;
      let hi = -Infinity;
      for (const l of p.lines)
        for (let i = i0; i < n; i++) {
          const y = series.y[l.key][i];
          if (y < lo) lo = y;
          if (y > hi) hi = y;
        }
      if (p.bands) for (const b of p.bands(thresholdV)) (lo = Math.min(lo, b * 1.2)), (hi = Math.max(hi, b * 1.2));
      if (!Number.isFinite(lo)) (lo = 0), (hi = 1);
      if (hi - lo < 1e-6) (lo -= 0.5), (hi += 0.5);
      const pad = (hi - lo) * 0.05;
      lo -= pad;
      hi += pad;
      const yOf = (y: number) => bottom - ((y - lo) / (hi - lo)) * (bottom - top);
      g.strokeStyle = grid;
      g.lineWidth = 1;
      g.strokeRect(left, top, w - left - right, bottom - top);
      g.fillStyle = muted;
      g.font = '11px system-ui';
      g.fillText(`${p.title}${p.unit ? ` (${p.unit})` : ''}`, left + 4, top - 4);
      g.fillText(hi.toPrecision(4), 2, top + 10);
      g.fillText(lo.toPrecision(4), 2, bottom);
      if (p.bands) {
        g.strokeStyle = '#c2453d';
        g.setLineDash([4, 4]);
        for (const b of p.bands(thresholdV)) {
          g.beginPath();
          g.moveTo(left, yOf(b));
          g.lineTo(w - right, yOf(b));
          g.stroke();
        }
        g.setLineDash([]);
      }
      for (const l of p.lines) {
        const shift = l.twin ? offsetS : 0;
        g.strokeStyle = l.color;
        g.lineWidth = 1.4;
        g.beginPath();
        let pen = false;
        // decimate to about one point per pixel column
        const step = Math.max(1, Math.floor((n - i0) / (w - left)));
        for (let i = i0; i < n; i += step) {
          const t = series.t[i] + shift;
          const y = series.y[l.key][i];
          if (t < tMin || t > tMax || Number.isNaN(y)) {
            pen = false;
            continue;
          }
          const x = xOf(t);
          if (pen) g.lineTo(x, yOf(y));
          else g.moveTo(x, yOf(y));
          pen = true;
        }
        g.stroke();
        if (cursorT !== null) {
          const target = cursorT - shift;
          let lo2 = i0;
          let hi2 = n - 1;
          while (hi2 - lo2 > 1) {
            const mid = (lo2 + hi2) >> 1;
            if (series.t[mid] < target) lo2 = mid;
            else hi2 = mid;
          }
          const y = series.y[l.key][hi2];
          if (!Number.isNaN(y)) lines.push(`${p.title} ${l.label}: ${y.toFixed(4)}`);
        }
      }
    });
    if (cursorT !== null) {
      g.strokeStyle = fg;
      g.lineWidth = 0.8;
      g.beginPath();
      g.moveTo(cursorX!, 0);
      g.lineTo(cursorX!, h);
      g.stroke();
      setReadout(`t = ${cursorT.toFixed(1)} s · ${lines.join(' · ')}`);
    }
  }

  return (
    <div className="live-chart">
      <canvas
        ref={canvas}
        data-testid="live-chart"
        style={{ width: '100%', height: 560, display: 'block' }}
        onMouseMove={(e) => setCursorX(e.clientX - e.currentTarget.getBoundingClientRect().left)}
        onMouseLeave={() => {
          setCursorX(null);
          setReadout('');
        }}
      />
      <div className="muted" style={{ fontFamily: 'var(--mono)', fontSize: 12, minHeight: 18 }} data-testid="live-readout">
        {readout}
      </div>
    </div>
  );
}
