// The pure service's own result types: offsets into the file, no editor or protocol types.
export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  preferred?: boolean;
}

export interface Related {
  uri: string;
  start: number;
  end: number;
  /** When the related place is in another file, its text offsets are not known to the caller: line/character. */
  line?: number;
  character?: number;
  message: string;
}

export interface Problem {
  /** Stable rule id, e.g. "eip-overlap". */
  code: string;
  severity: Severity;
  message: string;
  start: number;
  end: number;
  /** Dotted path of the field concerned, e.g. "spec.address" (used when there is no text). */
  path?: string;
  related?: Related[];
  fixes?: Fix[];
  unnecessary?: boolean;
}
