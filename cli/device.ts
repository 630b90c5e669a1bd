// twinbench device add <name> [--site S] [--json] | list [--json] | remove <id|name>
// Manages the devices that may connect to /bridge, directly in the server's database
// (DATABASE_URL / TWINBENCH_SQLITE_PATH as for the server; the server need not run).
import { parseArgs } from 'node:util';
import { openDatabase } from '../server/db/client';
import { describeDatabase, resolveDatabaseConfig } from '../server/db/config';
import { createDeviceRepository } from '../server/db/devices';

export const USAGE = `usage: twinbench device <add|list|remove> ...
  device add <name> [--site S] [--json]   register a device; prints its token ONCE (only a hash is stored)
  device list [--json]                    devices with site, channels and last connection
  device remove <id|name>                 delete a device and its stored samples
The database is the server's: DATABASE_URL=postgresql://... or the SQLite file (TWINBENCH_SQLITE_PATH, default data/twinbench.db).`;

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { site: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (e) {
    process.stderr.write(`twinbench device: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (values.help || !sub) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  if (!['add', 'list', 'remove'].includes(sub)) {
    process.stderr.write(`twinbench device: unknown subcommand '${sub}'\n${USAGE}\n`);
    return 2;
  }
  const cfg = resolveDatabaseConfig();
  const db = await openDatabase(cfg);
  try {
    const devices = createDeviceRepository(db.prisma);
    if (sub === 'add') {
      const name = rest.join(' ').trim();
      if (!name) {
        process.stderr.write(`twinbench device add: expected a device name\n${USAGE}\n`);
        return 2;
      }
      const { device, token } = await devices.add({ name, site: values.site ?? '' });
      if (values.json) process.stdout.write(JSON.stringify({ id: device.id, name: device.name, site: device.site, token }) + '\n');
      else
        process.stdout.write(
          `registered device '${device.name}' (id ${device.id}${device.site ? `, site ${device.site}` : ''}) in ${describeDatabase(cfg)}\n` +
            `token (shown once, store it now; only its hash is kept):\n${token}\n` +
            `connect: twinbench bridge --server http://localhost:3000 --token <token> --source virtual\n`,
        );
      return 0;
    }
    if (sub === 'list') {
      const list = await devices.list();
      if (values.json) {
        process.stdout.write(JSON.stringify(list) + '\n');
        return 0;
      }
      if (list.length === 0) process.stdout.write('no devices (add one with `twinbench device add <name>`)\n');
      for (const d of list)
        process.stdout.write(
          `${d.id}  ${d.name}${d.site ? `  [${d.site}]` : ''}  channels: ${d.channels.map((c) => c.id).join(',') || '-'}  last seen: ${d.lastSeenAt?.toISOString() ?? 'never'}\n`,
        );
      return 0;
    }
    const target = rest.join(' ').trim();
    if (!target) {
      process.stderr.write(`twinbench device remove: expected a device id or name\n`);
      return 2;
    }
    if (!(await devices.remove(target))) {
      process.stderr.write(`twinbench device remove: no device with id or name '${target}'\n`);
      return 1;
    }
    process.stdout.write(`removed ${target}\n`);
    return 0;
  } finally {
    await db.close();
  }
}
