// Maps validation issues (a JSON path + message) to text ranges in the editor, using
// jsonc-parser's tree, which keeps offsets. Pure: no DOM, no Monaco; unit-tested.
import { findNodeAtLocation, parseTree, type Node, type ParseError } from 'jsonc-parser';

export type IssuePath = (string | number)[];

export interface IssueLike {
  path: IssuePath;
  message: string;
  /** 1-based line/column for JSON syntax errors (from parseScenarioText). */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
}

export interface TextRange {
  /** 1-based, as Monaco wants them. */
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

export interface LocatedIssue extends IssueLike {
  range: TextRange;
  /** The part of the path that was found in the text (shorter when a key is missing). */
  foundPath: IssuePath;
}

/** Line starts (offsets) for offset -> line/column conversion. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

export function offsetToPosition(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

function rangeOf(starts: number[], offset: number, length: number): TextRange {
  const a = offsetToPosition(starts, offset);
  const b = offsetToPosition(starts, offset + Math.max(length, 1));
  return { startLineNumber: a.line, startColumn: a.column, endLineNumber: b.line, endColumn: b.column };
}

/**
 * Finds the node for `path`, or the deepest existing ancestor when part of the path is missing
 * (a required property that is absent is marked on the object that should hold it, on its
 * opening line only so the marker stays readable).
 */
function locate(root: Node, path: IssuePath): { node: Node; found: IssuePath; exact: boolean } {
  for (let k = path.length; k >= 0; k--) {
    const sub = path.slice(0, k);
    const node = k === 0 ? root : findNodeAtLocation(root, sub);
    if (node) return { node, found: sub, exact: k === path.length };
  }
  return { node: root, found: [], exact: path.length === 0 };
}

export function locateIssues(text: string, issues: IssueLike[]): LocatedIssue[] {
  const starts = lineStarts(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  const end = offsetToPosition(starts, text.length);
  return issues.map((issue) => {
    if (issue.line !== undefined && issue.column !== undefined) {
      const line = Math.max(1, issue.line);
      const col = Math.max(1, issue.column);
      const endLine = issue.endLine !== undefined && issue.endLine >= line ? issue.endLine : line;
      let endCol = issue.endColumn !== undefined ? issue.endColumn : col + 1;
      if (endLine === line && endCol <= col) endCol = col + 1;
      return {
        ...issue,
        foundPath: issue.path,
        range: { startLineNumber: line, startColumn: col, endLineNumber: endLine, endColumn: endCol },
      };
    }
    if (!root) {
      return {
        ...issue,
        foundPath: [],
        range: { startLineNumber: 1, startColumn: 1, endLineNumber: end.line, endColumn: end.column },
      };
    }
    const { node, found, exact } = locate(root, issue.path);
    let range: TextRange;
    if (exact) {
      range = rangeOf(starts, node.offset, node.length);
    } else {
      // Missing key: mark the containing value's first line (the `{` or `[` and what follows on it).
      const a = offsetToPosition(starts, node.offset);
      const lineEnd = a.line < starts.length ? starts[a.line] - 1 : text.length;
      const b = offsetToPosition(starts, Math.min(node.offset + node.length, Math.max(lineEnd, node.offset + 1)));
      range = { startLineNumber: a.line, startColumn: a.column, endLineNumber: a.line, endColumn: Math.max(b.column, a.column + 1) };
      if (b.line !== a.line) range.endColumn = a.column + 1;
    }
    return { ...issue, foundPath: found, range };
  });
}

/** Syntax errors straight from jsonc-parser (used when the validator gives no location). */
export function syntaxErrors(text: string): { offset: number; length: number; error: number }[] {
  const errors: ParseError[] = [];
  parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  return errors;
}

/** "steps[2].until" style path for display. */
export function formatPath(path: IssuePath): string {
  if (path.length === 0) return '(document)';
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s ? `.${p}` : p;
  }
  return s;
}
