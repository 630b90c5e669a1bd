import { describe, it, expect } from 'vitest';
import { formatPath, locateIssues, offsetToPosition, lineStarts } from './issueRanges';

const text = `{
  "name": "demo",
  "steps": [
    "Rest for 10 minutes",
    "Discharge at 1C for 10 mn"
  ],
  "cell": { "chemistry": "XYZ" }
}`;

describe('locateIssues', () => {
  it('marks the exact value at a path', () => {
    const [a] = locateIssues(text, [{ path: ['steps', 1], message: "unknown unit 'mn'" }]);
    expect(a.range.startLineNumber).toBe(5);
    expect(a.range.startColumn).toBe(5);
    expect(a.range.endLineNumber).toBe(5);
    expect(a.range.endColumn).toBe(5 + '"Discharge at 1C for 10 mn"'.length);
    expect(a.foundPath).toEqual(['steps', 1]);
  });

  it('marks nested object values', () => {
    const [a] = locateIssues(text, [{ path: ['cell', 'chemistry'], message: 'bad' }]);
    expect(a.range.startLineNumber).toBe(7);
    const line = text.split('\n')[6];
    expect(a.range.startColumn).toBe(line.indexOf('"XYZ"') + 1);
    expect(a.range.endColumn - a.range.startColumn).toBe(5);
  });

  it('marks the containing object for a missing key', () => {
    const [a] = locateIssues(text, [{ path: ['cell', 'capacityAh'], message: 'required' }]);
    expect(a.foundPath).toEqual(['cell']);
    expect(a.range.startLineNumber).toBe(7);
    const [b] = locateIssues(text, [{ path: ['ambientC'], message: 'required' }]);
    expect(b.foundPath).toEqual([]);
    expect(b.range.startLineNumber).toBe(1);
  });

  it('uses line and column for syntax errors', () => {
    const [a] = locateIssues('{ "a": }', [{ path: [], message: 'Unexpected token', line: 1, column: 8 }]);
    const [b] = locateIssues('{ "a": 1 }', [{ path: ['a'], message: 'm', line: 1, column: 8, endLine: 1, endColumn: 9 }]);
    expect(b.range).toEqual({ startLineNumber: 1, startColumn: 8, endLineNumber: 1, endColumn: 9 });
    expect(a.range).toEqual({ startLineNumber: 1, startColumn: 8, endLineNumber: 1, endColumn: 9 });
  });

  it('handles CRLF text', () => {
    const crlf = text.replace(/\n/g, '\r\n');
    const [a] = locateIssues(crlf, [{ path: ['steps', 1], message: 'x' }]);
    expect(a.range.startLineNumber).toBe(5);
    expect(a.range.startColumn).toBe(5);
  });
});

describe('helpers', () => {
  it('converts offsets to positions', () => {
    const s = lineStarts('ab\ncd');
    expect(offsetToPosition(s, 0)).toEqual({ line: 1, column: 1 });
    expect(offsetToPosition(s, 4)).toEqual({ line: 2, column: 2 });
  });
  it('formats paths', () => {
    expect(formatPath(['steps', 2, 'until'])).toBe('steps[2].until');
    expect(formatPath([])).toBe('(document)');
  });
});
