// Turns per-round measurements into the summary and the printed table.

export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One summary row per variant; ratios are taken round by round, so drift hits both sides alike. */
export function summarise(variants, rounds) {
  return variants.map((variant) => {
    const own = rounds.map((round) => round[variant.name]);
    const ratios = variant.baseline === undefined ? [] : rounds.map((round) => round[variant.name].rps / round[variant.baseline].rps);
    const ratio = variant.baseline === undefined ? undefined : median(ratios);
    const bad = own.reduce((sum, r) => sum + r.bad, 0);
    const errors = own.reduce((sum, r) => sum + r.errors, 0);
    return {
      name: variant.name,
      rps: median(own.map((r) => r.rps)),
      p50: median(own.map((r) => r.p50)),
      p99: median(own.map((r) => r.p99)),
      cpuUs: median(own.map((r) => r.serverCpuUsPerRequest)),
      // The database's CPU for a server on PostgresStore (not in cpuUs); absent for the others.
      databaseCpuUs: own.some((r) => r.databaseCpuUsPerRequest !== undefined) ? median(own.map((r) => r.databaseCpuUsPerRequest)) : undefined,
      baseline: variant.baseline,
      ratios,
      ratio,
      target: variant.target,
      met: ratio === undefined || variant.target === undefined ? undefined : ratio >= variant.target,
      bad,
      errors,
      flagged: bad > 0 || errors > 0,
    };
  });
}

export function formatTable(rows) {
  // The database column only when a variant ran on one (npm run bench:store).
  const database = rows.some((row) => row.databaseCpuUs !== undefined);
  const header = ['variant', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', ...(database ? ['DB CPU µs/req'] : []), 'baseline', 'ratio', 'target', 'result', 'bad status', 'errors'];
  const lines = rows.map((row) => [
    row.name,
    Math.round(row.rps).toString(),
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    row.cpuUs.toFixed(0),
    ...(database ? [Number.isFinite(row.databaseCpuUs) ? row.databaseCpuUs.toFixed(0) : '—'] : []),
    row.baseline ?? '—',
    row.ratio === undefined ? '—' : row.ratio.toFixed(2),
    row.target === undefined ? '—' : `≥ ${row.target.toFixed(2)}`,
    [row.baseline === undefined ? 'baseline' : row.met === undefined ? 'reference' : row.met ? 'met' : 'MISSED', row.flagged ? 'FLAGGED' : '']
      .filter(Boolean)
      .join(', '),
    String(row.bad),
    String(row.errors),
  ]);
  const numeric = new Set(database ? [1, 2, 3, 4, 5, 7, 10, 11] : [1, 2, 3, 4, 6, 9, 10]);
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const cell = (value, i) => (numeric.has(i) ? value.padStart(widths[i]) : value.padEnd(widths[i]));
  const render = (line) => `| ${line.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [render(header), rule, ...lines.map(render)].join('\n');
}
