'use client';
// The $parameters of a version-2 scenario as inputs (empty = the scenario's default), like
// `twinbench run --param name=value`. Values go to the worker as they are; the engine checks them
// (units, ranges) and a bad one fails the run with a message naming it.
interface Props {
  declared: Record<string, { default: string | number; description?: string }>;
  values: Record<string, string>;
  onChange: (values: Record<string, string>) => void;
  disabled?: boolean;
}

/** The overrides to send: non-empty values of declared parameters (numbers stay numbers). */
export function paramOverrides(declared: Props['declared'], values: Record<string, string>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, d] of Object.entries(declared)) {
    const v = values[k]?.trim();
    if (!v) continue;
    out[k] = typeof d.default === 'number' && v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

export function ParamsBar({ declared, values, onChange, disabled }: Props) {
  const names = Object.keys(declared);
  if (names.length === 0) return null;
  return (
    <div className="params-bar" data-testid="params">
      <span className="params-title">Parameters</span>
      {names.map((k) => (
        <label key={k} className="param" title={declared[k].description ?? ''}>
          <span className="param-name">${k}</span>
          <input
            value={values[k] ?? ''}
            placeholder={String(declared[k].default)}
            disabled={disabled}
            aria-label={`Parameter ${k} (empty: ${declared[k].default})`}
            onChange={(e) => onChange({ ...values, [k]: e.target.value.slice(0, 200) })}
          />
        </label>
      ))}
    </div>
  );
}
