'use client';
// Monaco editor for the scenario JSON: schema-driven completion and hover (JSON language with
// the scenario JSON Schema), and our own markers from the zod validator at the exact path.
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import type * as MonacoNs from 'monaco-editor';
import { loadMonaco, type Monaco } from './monacoLoader';
import type { LocatedIssue, TextRange } from './issueRanges';
import { SCENARIO_SCHEMA_ID } from '../../sim/scenario/jsonSchema';
import { targetCompletion } from './targetCompletion';

export interface ScenarioEditorHandle {
  getValue(): string;
  setValue(text: string): void;
  reveal(range: TextRange): void;
  focus(): void;
}

interface Props {
  initialValue: string;
  schema: object | null;
  issues: LocatedIssue[];
  onChange(text: string): void;
  onRun(): void;
  onSave(): void;
}

const MODEL_URI = 'file:///scenario.json';
const MARKER_OWNER = 'twinbench';

function prefersDark(): boolean {
  return typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: dark)').matches;
}

export const ScenarioEditor = forwardRef<ScenarioEditorHandle, Props>(function ScenarioEditor(props, ref) {
  const host = useRef<HTMLDivElement>(null);
  const monacoRef = useRef<Monaco | null>(null);
  const editorRef = useRef<MonacoNs.editor.IStandaloneCodeEditor | null>(null);
  const pendingValue = useRef<string>(props.initialValue);
  const cb = useRef(props);
  cb.current = props;
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [failure, setFailure] = useState('');

  useImperativeHandle(ref, () => ({
    getValue: () => editorRef.current?.getValue() ?? pendingValue.current,
    setValue: (text: string) => {
      pendingValue.current = text;
      const ed = editorRef.current;
      if (ed) {
        const model = ed.getModel();
        // pushEditOperations keeps undo history (a library open can be undone).
        if (model) {
          model.pushEditOperations([], [{ range: model.getFullModelRange(), text }], () => null);
          ed.setPosition({ lineNumber: 1, column: 1 });
          ed.revealLine(1);
        }
      } else {
        cb.current.onChange(text);
      }
    },
    reveal: (r: TextRange) => {
      const ed = editorRef.current;
      if (!ed) return;
      ed.revealRangeInCenter(r);
      ed.setSelection(r);
      ed.focus();
    },
    focus: () => editorRef.current?.focus(),
  }));

  useEffect(() => {
    let disposed = false;
    const disposables: { dispose(): void }[] = [];
    loadMonaco()
      .then((monaco) => {
        if (disposed || !host.current) return;
        monacoRef.current = monaco;
        const uri = monaco.Uri.parse(MODEL_URI);
        const model = monaco.editor.getModel(uri) ?? monaco.editor.createModel(pendingValue.current, 'json', uri);
        if (model.getValue() !== pendingValue.current) model.setValue(pendingValue.current);
        const editor = monaco.editor.create(host.current, {
          model,
          theme: prefersDark() ? 'vs-dark' : 'vs',
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 13,
          lineHeight: 19,
          fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace',
          tabSize: 2,
          scrollBeyondLastLine: false,
          renderLineHighlight: 'line',
          fixedOverflowWidgets: true,
          quickSuggestions: { strings: true, other: true, comments: false },
          wordBasedSuggestions: 'off',
          ariaLabel: 'Scenario JSON editor',
        });
        editorRef.current = editor;
        disposables.push(
          editor,
          model.onDidChangeContent(() => cb.current.onChange(model.getValue())),
        );
        editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => cb.current.onRun());
        editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => cb.current.onSave());
        const mq = window.matchMedia?.('(prefers-color-scheme: dark)');
        const onScheme = () => monaco.editor.setTheme(mq?.matches ? 'vs-dark' : 'vs');
        mq?.addEventListener('change', onScheme);
        disposables.push({ dispose: () => mq?.removeEventListener('change', onScheme) });
        // target paths and signal names that exist in this scenario (version 2), inside strings
        disposables.push(
          monaco.languages.registerCompletionItemProvider('json', {
            triggerCharacters: ['"', '/', '('],
            provideCompletionItems(m, position) {
              if (m.uri.toString() !== model.uri.toString()) return { suggestions: [] };
              const text = m.getValue();
              const offset = m.getOffsetAt(position);
              const c = targetCompletion(text, offset);
              if (!c) return { suggestions: [] };
              // replace the path being typed: back to the quote, '(' or a space
              let start = offset;
              while (start > 0 && !'"( '.includes(text[start - 1])) start--;
              const from = m.getPositionAt(start);
              const range = { startLineNumber: from.lineNumber, startColumn: from.column, endLineNumber: position.lineNumber, endColumn: position.column };
              const kind = c.kind === 'target' ? monaco.languages.CompletionItemKind.Module : monaco.languages.CompletionItemKind.Field;
              return { suggestions: c.items.map((label, i) => ({ label, kind, insertText: label, range, sortText: String(i).padStart(5, '0') })) };
            },
          }),
        );
        setState('ready');
        host.current.dataset.ready = 'true';
      })
      .catch((e: unknown) => {
        if (disposed) return;
        setFailure(e instanceof Error ? e.message : String(e));
        setState('failed');
      });
    return () => {
      disposed = true;
      for (const d of disposables.reverse()) d.dispose();
      editorRef.current = null;
    };
  }, []);

  // Schema for completion and hover. Diagnostics come from our validator (zod), not from the
  // JSON worker, so each problem shows once, worded as the CLI and the API word it.
  useEffect(() => {
    const monaco = monacoRef.current;
    if (!monaco || state !== 'ready') return;
    type JsonNs = { jsonDefaults: { setDiagnosticsOptions(o: object): void; setModeConfiguration(o: object): void; modeConfiguration: object } };
    const json = (monaco as unknown as { json?: JsonNs }).json ?? (monaco.languages as unknown as { json: JsonNs }).json;
    json.jsonDefaults.setDiagnosticsOptions({
      validate: true,
      allowComments: true,
      enableSchemaRequest: false,
      schemaValidation: 'ignore',
      // Registered under the id scenarios name in "$schema", so both association paths resolve
      // locally (enableSchemaRequest is off: nothing is fetched).
      schemas: props.schema ? [{ uri: SCENARIO_SCHEMA_ID, fileMatch: [MODEL_URI, 'scenario.json', '*'], schema: props.schema }] : [],
    });
    json.jsonDefaults.setModeConfiguration({ ...json.jsonDefaults.modeConfiguration, diagnostics: false });
  }, [props.schema, state]);

  useEffect(() => {
    const monaco = monacoRef.current;
    const model = editorRef.current?.getModel();
    if (!monaco || !model || state !== 'ready') return;
    monaco.editor.setModelMarkers(
      model,
      MARKER_OWNER,
      props.issues.map((i) => ({
        ...i.range,
        severity: monaco.MarkerSeverity.Error,
        message: i.message,
        source: i.path.length ? i.path.join('.') : undefined,
      })),
    );
  }, [props.issues, state]);

  return (
    <div className="editor-wrap">
      <div ref={host} className="editor-host" data-testid="editor" />
      {state === 'loading' && <div className="editor-overlay">Loading editor…</div>}
      {state === 'failed' && (
        <div className="editor-overlay error" role="alert">
          The editor could not load ({failure}). Check that <code>public/monaco</code> exists
          (<code>node scripts/copy-assets.mjs</code>).
        </div>
      )}
    </div>
  );
});
