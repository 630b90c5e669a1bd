// Test double for a Web Worker: exposes an implementation over Comlink on a MessageChannel in this
// thread, so a facade's real Comlink wiring (proxied callbacks, transferred arrays) is exercised.
import * as Comlink from 'comlink';

export class ChannelWorker {
  private channel = new MessageChannel();
  terminated = false;
  constructor(impl: object) {
    Comlink.expose(impl, this.channel.port2 as unknown as Comlink.Endpoint);
  }
  postMessage(msg: unknown, transfer?: Transferable[]) {
    this.channel.port1.postMessage(msg, transfer ?? []);
  }
  addEventListener(type: string, fn: (e: MessageEvent) => void) {
    if (type === 'message') this.channel.port1.addEventListener('message', fn as EventListener);
    this.channel.port1.start();
  }
  removeEventListener(type: string, fn: (e: MessageEvent) => void) {
    if (type === 'message') this.channel.port1.removeEventListener('message', fn as EventListener);
  }
  terminate() {
    this.terminated = true;
    this.channel.port1.close();
    this.channel.port2.close();
  }
}
