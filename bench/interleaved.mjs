// The loop of the in-process benches (bench:exchange, bench:signature): every way of doing one
// thing runs `perRound` times, `concurrency` under way, a quarter round each to warm up, then in
// `rounds` interleaved rounds (A B C … A B C …) so that a drifting machine hits them alike.

/**
 * Runs each of `ways` (name → async call, given the call's number) and checks each answer with
 * `check`; per way and round: the process's CPU µs per call, calls per second, and the event
 * loop's busy µs per call.
 */
export async function runInterleaved(ways, { rounds, perRound, concurrency, check }) {
  let issued = 0;
  async function callMany(call, count) {
    let left = count;
    const worker = async () => {
      while (left-- > 0) check(await call(++issued));
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
  const samples = Object.fromEntries(Object.keys(ways).map((name) => [name, { cpu: [], rate: [], loop: [] }]));
  for (const call of Object.values(ways)) await callMany(call, perRound / 4);
  for (let round = 0; round < rounds; round++) {
    for (const [name, call] of Object.entries(ways)) {
      const cpuBefore = process.cpuUsage();
      const loopBefore = performance.eventLoopUtilization();
      const started = performance.now();
      await callMany(call, perRound);
      const cpu = process.cpuUsage(cpuBefore);
      samples[name].cpu.push((cpu.user + cpu.system) / perRound);
      samples[name].rate.push(perRound / ((performance.now() - started) / 1000));
      samples[name].loop.push((performance.eventLoopUtilization(loopBefore).active * 1000) / perRound);
    }
  }
  return samples;
}
