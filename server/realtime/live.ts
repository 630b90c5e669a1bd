// The /live namespace (browsers). For now only a version handshake:
//   client: socket.emit('hello', anything?, ack)  ->  ack({ server, engineVersion })
//   (without an ack callback the answer comes as a 'hello' event)
import type { Namespace } from 'socket.io';

export interface LiveHello {
  server: string;
  engineVersion: string;
}

export function registerLive(nsp: Namespace, opts: { version: string; engineVersion: string }): void {
  const hello: LiveHello = { server: opts.version, engineVersion: opts.engineVersion };
  nsp.on('connection', (socket) => {
    socket.on('hello', (...args: unknown[]) => {
      const ack = args[args.length - 1];
      if (typeof ack === 'function') (ack as (h: LiveHello) => void)(hello);
      else socket.emit('hello', hello);
    });
  });
}
