import { describe, expect, it } from 'vitest';
import { isJsonContentType } from './body';

describe('isJsonContentType', () => {
  it('accepts JSON in UTF-8', () => {
    for (const ct of ['application/json', 'Application/JSON; charset=UTF-8', 'application/json;charset="utf-8"', 'application/scenario+json'])
      expect(isJsonContentType(ct), ct).toBe(true);
  });
  it('refuses everything else', () => {
    for (const ct of [undefined, '', 'text/plain', 'text/json', 'application/json; charset=latin1', 'multipart/form-data', 'application/jsonp'])
      expect(isJsonContentType(ct), String(ct)).toBe(false);
  });
});
