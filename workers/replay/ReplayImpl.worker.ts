// Worker entry: exposes ReplayImpl over Comlink. Keep it this small.
import * as Comlink from 'comlink';
import { ReplayImpl } from './ReplayImpl';

Comlink.expose(new ReplayImpl(Comlink.transfer));
