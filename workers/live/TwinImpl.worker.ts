// Worker entry: exposes TwinImpl over Comlink. Keep it this small.
import * as Comlink from 'comlink';
import { TwinImpl } from './TwinImpl';

Comlink.expose(new TwinImpl());
