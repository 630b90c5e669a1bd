// Which recorded channels go on which stacked subplot (pure; shared by plots and tests).
export interface PanelSpec {
  title: string;
  unit: string;
  /** Channel names in preference order; all that exist are drawn. */
  channels: { name: string; label: string; dash?: 'solid' | 'dot' | 'dash'; scale?: number; secondary?: boolean }[];
  /** Title of the right-hand axis used by `secondary` channels (a different scale, e.g. cell vs pack). */
  secondaryTitle?: string;
}

export const PANELS: PanelSpec[] = [
  {
    title: 'Voltage',
    unit: 'V',
    channels: [
      { name: 'voltage_V', label: 'terminal V' },
      { name: 'cell_v_min_V', label: 'cell min', dash: 'dot', secondary: true },
      { name: 'cell_v_max_V', label: 'cell max', dash: 'dot', secondary: true },
    ],
    secondaryTitle: 'Cell (V)',
  },
  { title: 'Current', unit: 'A', channels: [{ name: 'current_A', label: 'current (+ discharge)' }] },
  { title: 'SOC', unit: '%', channels: [{ name: 'soc', label: 'SOC', scale: 100 }] },
  {
    title: 'Temperature',
    unit: '°C',
    channels: [
      { name: 'temp_C', label: 'temperature' },
      { name: 'cell_temp_max_C', label: 'cell max', dash: 'dot' },
    ],
  },
];

/** Time axis unit for a run of `durationS` seconds. */
export function timeAxis(durationS: number): { unit: 's' | 'min' | 'h'; divisor: number } {
  if (durationS > 3 * 3600) return { unit: 'h', divisor: 3600 };
  if (durationS > 180) return { unit: 'min', divisor: 60 };
  return { unit: 's', divisor: 1 };
}
