/** What a section of the benchmark hands back: table rows and the raw figures behind them. */
export interface Row {
  figure: string;
  /** undefined: not measured (see `note`) */
  value: number | undefined;
  unit: string;
  target?: string;
  met?: boolean;
  note?: string;
}

export interface Section {
  name: string;
  seconds?: number;
  rows: Row[];
  details: Record<string, unknown>;
}

export type Log = (line: string) => void;
