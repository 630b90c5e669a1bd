// twinbench: command dispatcher. Each subcommand is a module exporting main(argv) -> exit code,
// loaded on demand so `twinbench validate` does not pay for what `identify` imports.
import { readFileSync } from 'node:fs';
import { ENGINE_VERSION } from '../sim/engine/run';
import { closest } from '../sim/scenario/steps';

type Main = (argv: string[]) => Promise<number>;

interface Command {
  summary: string;
  load: () => Promise<{ main: Main }>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: 'run a scenario headless and print its metrics', load: () => import('./run') },
  validate: { summary: 'check scenario files; every error as "path: message"', load: () => import('./validate') },
  'replay-cell': { summary: 'drive the cell model with a measured current profile (CSV)', load: () => import('./replayCell') },
  identify: { summary: 'fit cell parameters from measured data', load: () => import('./identify') },
  'validate-twin': { summary: 'check the twin against reference data', load: () => import('./validateTwin') },
  bridge: { summary: 'connect a device (or a virtual one) to the server', load: () => import('./bridge') },
  device: { summary: 'manage devices registered on the server', load: () => import('./device') },
};

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    'usage: twinbench <command> [options]',
    '',
    'commands:',
    ...Object.entries(COMMANDS).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`),
    '',
    'examples:',
    '  twinbench run scenarios/cell-1h-cycle.json --json',
    '  twinbench run scenarios/pack-4s2p-discharge.json --seed 3 --out run.csv',
    '  twinbench run <64-hex share id> --server http://localhost:3000',
    '  twinbench validate my-scenario.json',
    '',
    "'twinbench <command> --help' shows a command's options.",
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) return run([rest[0], '--help']);
    process.stdout.write(usage() + '\n');
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version' || cmd === '-v') {
    process.stdout.write(`twinbench ${version()} (engine ${ENGINE_VERSION})\n`);
    return 0;
  }
  const c = COMMANDS[cmd];
  if (!c) {
    const hint = closest(cmd, Object.keys(COMMANDS));
    process.stderr.write(`twinbench: unknown command '${cmd}'${hint ? ` (did you mean '${hint}'?)` : ''}\n\n${usage()}\n`);
    return 2;
  }
  let mod: { main: Main };
  try {
    mod = await c.load();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(`cli/${cmd === 'validate-twin' ? 'validateTwin' : cmd}`)) {
      process.stderr.write(`twinbench: the '${cmd}' command is not available in this version yet\n`);
      return 2;
    }
    throw e;
  }
  try {
    return await mod.main(rest);
  } catch (e) {
    process.stderr.write(`twinbench ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
