// Built-in scenarios offered in the Examples menu; the first is the default editor content.
// Imported as JSON at build time from scenarios/ (H3's library), pretty-printed for the editor.

export interface BuiltIn {
  file: string;
  title: string;
  text: string;
}

const FALLBACK = {
  name: 'Cell 1 h cycle',
  description: 'One NCR18650PF cell: 1C discharge, rest, CC-CV charge, 1 s steps.',
  cell: { paramSet: 'panasonic-ncr18650pf' },
  initial: { soc: 1, tempC: 25 },
  ambient: { tempC: 25 },
  experiment: ['Discharge at 1C for 20 minutes', 'Rest for 10 minutes', 'Charge at 1C for 20 minutes or until 4.2 V', 'Rest for 10 minutes'],
};

function pretty(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

export const BUILT_IN_SCENARIOS: BuiltIn[] = [{ file: 'fallback', title: FALLBACK.name, text: pretty(FALLBACK) }];

export const DEFAULT_SCENARIO_TEXT = BUILT_IN_SCENARIOS[0].text;
