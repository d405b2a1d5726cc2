/**
 * One printed figure of `npm run bench`.
 * @module
 */

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
}

export function formatRows(title: string, rows: readonly BenchRow[]): string {
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
  return [`\n## ${title}`, ...rows.map((r) => `  ${r.name.padEnd(width)}  ${fmt(r.value).padStart(10)} ${r.unit}`)].join('\n');
}
