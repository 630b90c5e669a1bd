// Share-link helpers: the `/#s=<lz-string>` fragment that carries a small scenario whole (no
// server), and the shape checks for `/s/<id>` ids. Link content is never trusted: callers
// validate the decoded text with parseScenarioText before it reaches the editor.
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';

/** Fragment links are offered only when the compressed scenario is at most this long. */
export const MAX_FRAGMENT_CHARS = 2048;
/** Refuse to decompress fragments longer than this (guards against a decompression bomb). */
export const MAX_FRAGMENT_INPUT = 200_000;
/** Same limit as the scenario text itself. */
export const MAX_SCENARIO_CHARS = 1_000_000;

/** Compact JSON for the fragment (whitespace removed when the text parses as JSON). */
function compactText(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The `#s=...` fragment (without '#') or null if the scenario is too large for a link. */
export function encodeFragment(text: string): string | null {
  const packed = compressToEncodedURIComponent(compactText(text));
  return packed.length <= MAX_FRAGMENT_CHARS ? `s=${packed}` : null;
}

export type FragmentDecode =
  | { kind: 'none' }
  | { kind: 'ok'; text: string }
  | { kind: 'error'; message: string };

/** Reads a location hash ('#s=...' or 's=...'). Pretty-prints JSON for the editor. */
export function decodeFragment(hash: string): FragmentDecode {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  if (!h.startsWith('s=')) return { kind: 'none' };
  const payload = h.slice(2);
  if (payload.length === 0) return { kind: 'error', message: 'The link has an empty scenario (#s=).' };
  if (payload.length > MAX_FRAGMENT_INPUT) return { kind: 'error', message: 'The scenario in this link is too long to open.' };
  if (!/^[A-Za-z0-9+\-$_]*$/.test(payload)) {
    return { kind: 'error', message: 'The scenario in this link is damaged (unexpected characters). Ask for the link again.' };
  }
  let text: string | null = null;
  try {
    text = decompressFromEncodedURIComponent(payload);
  } catch {
    text = null;
  }
  if (!text) return { kind: 'error', message: 'The scenario in this link is damaged (it does not decompress). Ask for the link again.' };
  if (text.length > MAX_SCENARIO_CHARS) return { kind: 'error', message: 'The scenario in this link is over 1 MB and was refused.' };
  try {
    return { kind: 'ok', text: JSON.stringify(JSON.parse(text), null, 2) };
  } catch {
    return { kind: 'ok', text };
  }
}

/** Share ids are content hashes: lowercase hex (sha256, 64 chars, as the server makes them). */
export function isValidShareId(id: string): boolean {
  return /^[0-9a-f]{64}$/.test(id);
}
