import type { Argv } from 'yargs';
import { bestCommonModel, migrateCheck, renderCpuHelp, renderCpuModelVerbose, CpuModelError } from './cpu/models/index.js';
import { hostIdentity } from './cpu/models/host.js';
import { InputError } from './scenario/errors.js';
import { loadScenario } from './scenario/load.js';
import { runTo } from './sim/run.js';
import { renderView, VIEWS } from './sim/inspect.js';
import { parseDuration, UnitError } from './scenario/units.js';
import { table } from './report/table.js';

/** `simvm view`, `simvm cpu-models` and `simvm migrate-check`: what host and guest see. */
export function inspectCommands<T>(y: Argv<T>): Argv<T> {
  return y
    .command(
      'view <scenario> <what>',
      `Show what the guest or host sees at a simulated time: ${Object.keys(VIEWS).join(', ')}`,
      (a) =>
        a
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
          .positional('what', { type: 'string', demandOption: true, describe: Object.entries(VIEWS).map(([k, v]) => `${k}: ${v.help}`).join('; ') })
          .option('guest', { type: 'string', describe: 'Guest to look into (guest views)' })
          .option('at', { type: 'string', describe: 'Simulated time of the view, e.g. 1s (default: end of run)' })
          .option('set', { type: 'string', array: true, describe: 'Override scenario fields, as for a run' })
          .option('psr', { type: 'number', describe: "ps: only threads last on this CPU (awk '$5==N')" })
          .option('grep', { type: 'string', describe: 'ps, ps-ef: only lines containing this (| grep S)' }),
      (a) => {
        const s = loadScenario(a.scenario as string, { sets: a.set as string[] | undefined });
        let at = s.warmup + s.duration;
        if (a.at !== undefined) {
          try {
            at = parseDuration(a.at);
          } catch (e) {
            if (e instanceof UnitError) throw new InputError(`--at: ${e.message}`, undefined, undefined, undefined, e.hint);
            throw e;
          }
          if (at > s.warmup + s.duration) throw new InputError(`--at ${a.at} is after the end of the run`, undefined, undefined, undefined, `the run ends at ${(s.warmup + s.duration) / 1e9}s`);
        }
        const sim = runTo(s, at);
        process.stdout.write(renderView(sim, a.what as string, { guest: a.guest as string | undefined, psr: a.psr as number | undefined, grep: a.grep as string | undefined }));
      },
    )
    .command(
      'cpu-models',
      "List the CPU models, as QEMU's -cpu help does",
      (a) => a.option('verbose', { type: 'string', describe: 'Show every fact of one model' }),
      (a) => {
        try {
          process.stdout.write(a.verbose ? renderCpuModelVerbose(a.verbose) : renderCpuHelp());
        } catch (e) {
          if (e instanceof CpuModelError) throw new InputError(e.message, undefined, undefined, undefined, e.hint);
          throw e;
        }
      },
    )
    .command(
      'migrate-check <scenario>',
      "Which of the scenario's migration hosts can run each guest's CPU model, and the best model they share",
      (a) => a.positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file with migration.hosts' }),
      (a) => {
        const s = loadScenario(a.scenario as string);
        if (!s.migration.length) throw new InputError('the scenario lists no migration hosts', s.file, undefined, undefined, 'add migration: { hosts: [{ name: a, cpu: SandyBridge }, { name: b, cpu: IvyBridge }] }');
        const hosts = s.migration.map((h) => {
          const cpu = hostIdentity(h.cpu);
          if (!cpu) throw new InputError(`migration host ${h.name}: "${h.cpu}" is not a CPU model a host can be`, s.file, undefined, undefined, 'see simvm cpu-models');
          return { name: h.name, cpu };
        });
        const rows: string[][] = [];
        for (const g of s.guests) {
          for (const r of migrateCheck(g.cpu, hosts)) rows.push([g.name, g.cpu, r.host, r.ok ? 'yes' : 'no', r.missing.join(' ') || '-']);
        }
        process.stdout.write(table(['guest', 'cpu model', 'host', 'can run', 'missing features'], rows, ['l', 'l', 'l', 'l', 'l']) + '\n');
        let best: string | null = null;
        try {
          best = bestCommonModel(hosts);
        } catch (e) {
          if (!(e instanceof CpuModelError)) throw e;
          process.stdout.write(`\nno common model: ${e.message}\n`);
        }
        if (best) process.stdout.write(`\nbest common model for ${hosts.map((h) => `${h.name} (${s.migration.find((m) => m.name === h.name)!.cpu})`).join(', ')}: ${best}\n`);
      },
    );
}
