// Device repository (issue 5): registration with a per-device token, token check, the last
// advertisement. Tokens are `tbd_<id>_<secret>` with a 32-byte random secret (base64url); only
// sha-256(secret) is stored. A slow password KDF is not needed for 256-bit random secrets (no
// dictionary to attack); the comparison is constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { splitToken, TOKEN_PREFIX, type Channel, type CommandKind } from '../../sim/protocol/bridge';
import type { PrismaClient } from './client';

export interface DeviceRecord {
  id: string;
  name: string;
  site: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  channels: Channel[];
  commands: CommandKind[];
}

export const DEVICE_NAME_MAX = 120;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newDeviceId(): string {
  // 10 chars of [a-z0-9]: short enough to read, no '_' (the token separator)
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const b = randomBytes(10);
  let s = 'd';
  for (let i = 0; i < 10; i++) s += alphabet[b[i] % alphabet.length];
  return s;
}

type Row = {
  id: string;
  name: string;
  site: string;
  createdAt: Date;
  lastSeenAt: Date | null;
  channelsJson: string;
  commandsJson: string;
};

function toRecord(r: Row): DeviceRecord {
  const parse = <T>(s: string): T[] => {
    try {
      const v = JSON.parse(s) as unknown;
      return Array.isArray(v) ? (v as T[]) : [];
    } catch {
      return [];
    }
  };
  return {
    id: r.id,
    name: r.name,
    site: r.site,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    channels: parse<Channel>(r.channelsJson),
    commands: parse<CommandKind>(r.commandsJson),
  };
}

export interface DeviceRepository {
  /** Registers a device; the token is returned here only. Throws when the name is taken. */
  add(input: { name: string; site?: string }): Promise<{ device: DeviceRecord; token: string }>;
  /** The device the token belongs to, or null (unknown device or wrong secret). */
  authenticate(token: unknown): Promise<DeviceRecord | null>;
  get(id: string): Promise<DeviceRecord | null>;
  list(): Promise<DeviceRecord[]>;
  remove(idOrName: string): Promise<boolean>;
  /** Stores the advertisement of the latest hello and marks the device seen. */
  recordHello(id: string, channels: Channel[], commands: CommandKind[]): Promise<void>;
}

export function createDeviceRepository(prisma: PrismaClient): DeviceRepository {
  return {
    async add({ name, site = '' }) {
      const clean = name.trim();
      if (!clean) throw new Error('device name must not be empty');
      if (clean.length > DEVICE_NAME_MAX) throw new Error(`device name: at most ${DEVICE_NAME_MAX} characters`);
      if (site.length > DEVICE_NAME_MAX) throw new Error(`site: at most ${DEVICE_NAME_MAX} characters`);
      const taken = await prisma.device.findUnique({ where: { name: clean } });
      if (taken) throw new Error(`a device named '${clean}' exists already (id ${taken.id}); pick another name or remove it first`);
      const secret = randomBytes(32).toString('base64url');
      const id = newDeviceId();
      const row = await prisma.device.create({ data: { id, name: clean, site: site.trim(), tokenHash: hashSecret(secret) } });
      return { device: toRecord(row), token: `${TOKEN_PREFIX}${id}_${secret}` };
    },
    async authenticate(token) {
      const parts = splitToken(token);
      if (!parts) return null;
      const row = await prisma.device.findUnique({ where: { id: parts.deviceId } });
      if (!row) return null;
      const a = Buffer.from(hashSecret(parts.secret), 'hex');
      const b = Buffer.from(row.tokenHash, 'hex');
      if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
      return toRecord(row);
    },
    async get(id) {
      const row = await prisma.device.findUnique({ where: { id } });
      return row ? toRecord(row) : null;
    },
    async list() {
      const rows = await prisma.device.findMany({ orderBy: [{ site: 'asc' }, { name: 'asc' }] });
      return rows.map(toRecord);
    },
    async remove(idOrName) {
      const r = await prisma.device.deleteMany({ where: { OR: [{ id: idOrName }, { name: idOrName }] } });
      return r.count > 0;
    },
    async recordHello(id, channels, commands) {
      await prisma.device.update({
        where: { id },
        data: { channelsJson: JSON.stringify(channels), commandsJson: JSON.stringify(commands), lastSeenAt: new Date() },
      });
    },
  };
}
