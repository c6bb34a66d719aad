// Single-character edits for the keystroke benchmark: walk the last two digits of a line
// (ones digit down, tens digit down, ones digit up, ...) so every edit changes exactly one
// character and no document text repeats (no parse-cache hits from revisiting a state).
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-protocol';

export interface Keystroke {
  change: TextDocumentContentChangeEvent;
  /** The line's text after the edit (for the log). */
  lineText: string;
}

export function keystrokes(text: string, line: number, count: number): Keystroke[] {
  let lineText = text.split('\n')[line];
  if (!/[0-9][0-9]$/.test(lineText)) throw new Error(`line ${line + 1} does not end in two digits: ${JSON.stringify(lineText)}`);
  const tensAt = lineText.length - 2;
  const onesAt = lineText.length - 1;
  let tens = Number(lineText[tensAt]);
  let ones = Number(lineText[onesAt]);
  let step = -1;
  const out: Keystroke[] = [];
  while (out.length < count) {
    let at: number;
    let digit: number;
    if ((step < 0 && ones > 0) || (step > 0 && ones < 9)) {
      ones += step;
      at = onesAt;
      digit = ones;
    } else {
      tens = (tens + 9) % 10;
      step = -step;
      at = tensAt;
      digit = tens;
    }
    lineText = lineText.slice(0, at) + String(digit) + lineText.slice(at + 1);
    out.push({
      change: { range: { start: { line, character: at }, end: { line, character: at + 1 } }, text: String(digit) },
      lineText,
    });
  }
  return out;
}
