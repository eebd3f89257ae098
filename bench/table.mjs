// Turns per-round measurements into the summary and the printed table.

export function median(values) {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * `name` against `other`, round by round: the median of the per-round ratios of req/s, and of
 * CPU per request taken the other way round (`other`'s CPU µs/req ÷ `name`'s), so that for both
 * 1.00 is par and lower is worse.
 */
export function compare(name, other, rounds) {
  const ratios = rounds.map((round) => round[name].rps / round[other].rps);
  const cpuRatios = rounds.map((round) => round[other].serverCpuUsPerRequest / round[name].serverCpuUsPerRequest);
  return { name, other, ratios, ratio: median(ratios), cpuRatios, cpuRatio: median(cpuRatios) };
}

/** One summary row per variant; ratios are taken round by round, so drift hits both sides alike. */
export function summarise(variants, rounds) {
  return variants.map((variant) => {
    const own = rounds.map((round) => round[variant.name]);
    const versus = variant.baseline === undefined ? undefined : compare(variant.name, variant.baseline, rounds);
    const ratio = versus?.ratio;
    const cpuRatio = versus?.cpuRatio;
    const met = ratio === undefined || variant.target === undefined ? undefined : ratio >= variant.target && (variant.cpuTarget === undefined || cpuRatio >= variant.cpuTarget);
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
      ratios: versus?.ratios ?? [],
      ratio,
      // The baseline's CPU µs/req ÷ this one's, round by round (1.00 is par, lower is worse).
      cpuRatios: versus?.cpuRatios ?? [],
      cpuRatio,
      target: variant.target,
      cpuTarget: variant.cpuTarget,
      met,
      bad,
      errors,
      flagged: bad > 0 || errors > 0,
    };
  });
}

export function formatTable(rows) {
  // The database column only when a variant ran on one (npm run bench:store).
  const database = rows.some((row) => row.databaseCpuUs !== undefined);
  const header = ['variant', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', ...(database ? ['DB CPU µs/req'] : []), 'baseline', 'ratio', 'CPU ratio', 'target', 'result', 'bad status', 'errors'];
  const lines = rows.map((row) => [
    row.name,
    Math.round(row.rps).toString(),
    row.p50.toFixed(1),
    row.p99.toFixed(1),
    row.cpuUs.toFixed(0),
    ...(database ? [Number.isFinite(row.databaseCpuUs) ? row.databaseCpuUs.toFixed(0) : '—'] : []),
    row.baseline ?? '—',
    row.ratio === undefined ? '—' : row.ratio.toFixed(2),
    // Summaries written before the CPU ratio existed have none.
    Number.isFinite(row.cpuRatio) ? row.cpuRatio.toFixed(2) : '—',
    row.target === undefined ? '—' : `≥ ${row.target.toFixed(2)}${row.cpuTarget === undefined ? '' : `, CPU ≥ ${row.cpuTarget.toFixed(2)}`}`,
    [row.baseline === undefined ? 'baseline' : row.met === undefined ? 'reference' : row.met ? 'met' : 'MISSED', row.flagged ? 'FLAGGED' : '']
      .filter(Boolean)
      .join(', '),
    String(row.bad),
    String(row.errors),
  ]);
  return markdownTable(header, lines, ['req/s', 'p50 ms', 'p99 ms', 'CPU µs/req', 'DB CPU µs/req', 'ratio', 'CPU ratio', 'bad status', 'errors']);
}

/** A Markdown table of string cells, the `numeric` columns (by title) right-aligned. */
export function markdownTable(header, lines, numeric) {
  const right = new Set(numeric.map((title) => header.indexOf(title)));
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const cell = (value, i) => (right.has(i) ? value.padStart(widths[i]) : value.padEnd(widths[i]));
  const render = (line) => `| ${line.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (right.has(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [render(header), rule, ...lines.map(render)].join('\n');
}

/** The further comparisons (`alsoVs`), one line each. */
export function formatComparisons(comparisons) {
  return comparisons.map(({ name, other, ratio, cpuRatio }) => `${name} vs ${other}: req/s ratio ${ratio.toFixed(2)}, CPU ratio ${cpuRatio.toFixed(2)}`).join('\n');
}
