/**
 * The benchmark's arithmetic and presentation: medians, targets, the table, the machine line.
 * Pure except {@link machine}, which reads this machine.
 * @module
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values: number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export type Unit = 's' | 'ms' | 'MB' | 'KB' | '%' | '×' | '';

/** A target: the measured value must be at most (`<=`) or under (`<`) a bound, or it is only shown. */
export interface Target {
  op: '<' | '<=' | 'info';
  value?: number;
  /** How the target reads in the table, e.g. `< 1.5 s`. */
  text: string;
}

/** One line of the table. */
export interface Figure {
  /** Short key, e.g. `test.one`. */
  id: string;
  /** What is measured, as the table shows it. */
  label: string;
  /** The median (or the single value for a maximum over pages). */
  value: number;
  unit: Unit;
  /** Every run's value, in the order taken. */
  runs: number[];
  target: Target;
  /** True/false against the target; null when only shown. */
  met: boolean | null;
  /** One more line of detail (shares, what was left out, why). */
  note?: string;
}

export function meets(value: number, target: Target): boolean | null {
  if (target.op === 'info' || target.value === undefined) return null;
  if (!Number.isFinite(value)) return false;
  return target.op === '<' ? value < target.value : value <= target.value;
}

/** Builds a figure from its runs: the value is their median. */
export function figure(id: string, label: string, runs: number[], unit: Unit, target: Target, note?: string): Figure {
  const value = median(runs);
  return { id, label, value, unit, runs, target, met: meets(value, target), ...(note ? { note } : {}) };
}

/** A value as the table shows it: seconds with two decimals, MB and KB with one. */
export function formatValue(value: number, unit: Unit): string {
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case 's':
      return `${value.toFixed(2)} s`;
    case 'ms':
      return `${Math.round(value)} ms`;
    case 'MB':
    case 'KB':
      return `${value.toFixed(1)} ${unit}`;
    case '%':
      return `${Math.round(value)} %`;
    case '×':
      return `${value.toFixed(2)} ×`;
    default:
      return String(value);
  }
}

function metText(met: boolean | null): string {
  return met === null ? '–' : met ? 'yes' : 'NO';
}

/** The table as aligned plain text (for the terminal). */
export function textTable(figures: Figure[]): string {
  const rows = [
    ['#', 'Figure', 'Measured (median)', 'Runs', 'Target', 'Met'],
    ...figures.map((f) => [
      f.id,
      f.label,
      formatValue(f.value, f.unit),
      String(f.runs.length),
      f.target.text,
      metText(f.met),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const [i, f] of figures.entries()) {
    out.push(line(rows[i + 1]!));
    if (f.note) out.push(`${' '.repeat((widths[0] ?? 0) + 2)}  ${f.note}`);
  }
  return out.join('\n');
}

/** The table as markdown (for README.md). */
export function markdownTable(figures: Figure[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| # | Figure | Measured (median) | Target | Met |',
    '|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${f.id} | ${cell(f.label)}${f.note ? `<br><small>${cell(f.note)}</small>` : ''} | ${formatValue(f.value, f.unit)} | ${cell(f.target.text)} | ${metText(f.met)} |`,
    ),
  ].join('\n');
}

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  platform: string;
  memoryGB: number;
  freeMemoryGB: number;
  /** 1, 5 and 15 minute load averages when the benchmark started. */
  loadAverage: number[];
}

export function machine(): Machine {
  const list = cpus();
  return {
    cores: list.length,
    cpu: list[0]?.model.trim() ?? 'unknown',
    node: process.versions.node,
    platform: `${process.platform} ${process.arch}`,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    freeMemoryGB: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function machineLine(m: Machine): string {
  return `${m.cores} cores (${m.cpu}), ${m.memoryGB} GB RAM, Node ${m.node}, ${m.platform}; load average at start ${m.loadAverage.join(' / ')} (1/5/15 min)`;
}
