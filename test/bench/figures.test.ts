/**
 * The bench's arithmetic (bench/stats.ts) and the environment figures (bench/environments.ts)
 * built from known timings: what `npm run bench` reports must be the median of the per-round
 * ratios against the sum of single plans, never a ratio of medians or one round's; the engine's
 * work read from a run's engine log.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineBreakdown, engineCommands } from '../../bench/engine-env';
import { environmentFigures } from '../../bench/environments';
import { pairedRatio, median, spreadSeconds } from '../../bench/stats';

describe('pairedRatio', () => {
  it('is the median of the per-round ratios, with their min–max', () => {
    // Per round: 2, 4, 3 (median 3). The ratio of the medians would be 20 / 10 = 2.
    expect(pairedRatio([20, 40, 12], [10, 10, 4])).toEqual({ ratio: 3, ratioSpread: '2–4' });
    expect(median([20, 40, 12]) / median([10, 10, 4])).toBe(2);
  });

  it('inverts for "n times faster" figures', () => {
    expect(pairedRatio([10, 10], [20, 30], true)).toEqual({ ratio: 2.5, ratioSpread: '2–3' });
  });

  it('refuses runs that were not timed in the same rounds', () => {
    expect(() => pairedRatio([1, 2], [1])).toThrow(/same number of rounds/);
    expect(() => pairedRatio([], [])).toThrow(/at least one/);
  });
});

describe('environment figures', () => {
  const timings = {
    devStacks: ['registry', 'dev-cluster', 'dev-orders'],
    envStacks: ['bench-3-orders', 'bench-3-web'],
    apply: [30_000, 36_000, 33_000],
    devPlans: [20_000, 18_000, 30_000],
    create: [50_000, 45_000, 60_000],
    envPlans: [25_000, 30_000, 20_000],
    destroy: [40_000, 30_000, 20_000],
    changedByApply: 0,
  };

  it('compares each command with the sum of its stacks single plans, round by round, informative', () => {
    const [apply, create, destroy] = environmentFigures(timings);
    expect(apply).toMatchObject({
      figure: expect.stringContaining('apply --env dev --yes with nothing changed'),
      value: 33,
      unit: 's',
      spread: spreadSeconds(timings.apply),
      baseline: expect.stringContaining('3: registry, dev-cluster, dev-orders'),
      baselineValue: 20,
      // 1.5, 2, 1.1: median 1.5 (the ratio of the medians would be 1.65).
      ratio: 1.5,
      ratioSpread: '1.1–2',
      target: 'informative',
      note: 'informative; no stack had changes',
    });
    expect(apply!.met).toBeUndefined();
    // 2, 1.5, 3
    expect(create).toMatchObject({ figure: expect.stringContaining('env create'), value: 50, ratio: 2 });
    expect(create!.baseline).toContain('2: bench-3-orders, bench-3-web');
    // 1.6, 1, 1
    expect(destroy).toMatchObject({ figure: expect.stringContaining('env destroy'), value: 30, ratio: 1 });
  });

  it('says when a no-change apply changed something (a perpetual diff)', () => {
    expect(environmentFigures({ ...timings, changedByApply: 2 })[0]!.note).toBe('informative; 2 stacks had changes');
  });

  it('without timings (skipped): the three figures, with the reason and no value', () => {
    const figs = environmentFigures(undefined, 'skipped: no terraform');
    expect(figs.map((f) => [f.target, f.note, Number.isNaN(f.value), f.met])).toEqual([
      ['informative', 'skipped: no terraform', true, undefined],
      ['informative', 'skipped: no terraform', true, undefined],
      ['informative', 'skipped: no terraform', true, undefined],
    ]);
  });
});

describe('engine log breakdown', () => {
  it('counts engine commands by verb, their time and how many ran at once; provider processes are not commands', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-log-'));
    const log = join(dir, 'run.log');
    writeFileSync(
      log,
      [
        '23:59:50.000 [a] $ terraform init -input=false   (in /p/a)',
        '23:59:52.000 [a] (exit 0)',
        '23:59:52.010 [a] $ /p/a/.terraform/providers/terraform-provider-aws_v5.100.0_x5 -debug   (one provider)',
        '23:59:53.000 [a] $ terraform plan -input=false -json -out=/r/a.tfplan   (in /p/a)',
        '23:59:55.000 [b] $ /usr/local/bin/terraform plan -input=false   (in /p/b)',
        'a line of engine output',
        '00:00:03.000 [a] (exit 2)',
        '00:00:05.000 [b] (exit 0)',
        '00:00:05.500 [a] $ terraform show -json /r/a.tfplan',
        '00:00:07.500 [a] (exit 0)',
      ].join('\n'),
    );
    try {
      const commands = engineCommands(log);
      expect(commands.map((c) => [c.stack, c.verb, c.end - c.start])).toEqual([
        ['a', 'init', 2000],
        ['a', 'plan', 10_000],
        ['b', 'plan', 10_000],
        ['a', 'show', 2000],
      ]);
      expect(engineBreakdown(commands)).toBe('1 init, 2 plan, 1 show: 24 s of engine time, at most 2 at once');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
