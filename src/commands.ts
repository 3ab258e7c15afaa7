import type { Argv } from 'yargs';
import { bestCommonModel, migrateCheck, renderCpuHelp, renderCpuModelVerbose, CpuModelError } from './cpu/models/index.js';
import { hostIdentity } from './cpu/models/host.js';
import { MachineError, resolveMachine } from './topology/machines.js';
import { InputError } from './util/errors.js';
import { loadScenario } from './scenario/load.js';
import { parseViewTime, renderView, simulationForView, VIEWS } from './sim/inspect.js';
import { table } from './report/table.js';
import { progress } from './util/progress.js';
import { EXIT } from './cli/common.js';

/** `simvm view`, `simvm cpu-models` and `simvm migrate-check`: what host and guest see. */
export function inspectCommands<T>(y: Argv<T>, setCode: (code: number) => void): Argv<T> {
  return y
    .command(
      'view <scenario> <what>',
      `Show what the guest or host sees at a simulated time: ${Object.keys(VIEWS).join(', ')}`,
      (a) =>
        a
          .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario YAML file' })
          .positional('what', { type: 'string', demandOption: true, describe: Object.entries(VIEWS).map(([k, v]) => `${k}: ${v.help}`).join('; ') })
          .option('guest', { type: 'string', describe: 'Guest to look into (guest views)' })
          .option('at', { type: 'string', describe: 'Simulated time of the view, e.g. 1s; runs the scenario up to it (default: guest views show the CPUs after the timeline\'s hot-plugs without running; host views the end of the run)' })
          .option('set', { type: 'string', array: true, describe: 'Override scenario fields, as for a run' })
          .option('psr', { type: 'number', describe: "ps: only threads last on this CPU (awk '$5==N')" })
          .option('vcpu', { type: 'number', describe: 'kvm-stat: one vCPU (its QEMU cpu index), as perf kvm stat report --vcpu' })
          .option('grep', { type: 'string', describe: 'ps, ps-ef: only lines containing this (| grep S)' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress on stderr' }),
      (a) => {
        const s = loadScenario(a.scenario as string, { sets: a.set as string[] | undefined });
        for (const w of s.warnings) process.stderr.write(w + '\n');
        const at = a.at === undefined ? undefined : parseViewTime(s, a.at);
        const endMs = Math.round((at ?? s.warmup + s.duration) / 1e6);
        const bar = progress({ label: `view ${s.name}`, total: endMs, unit: 'ms simulated', quiet: a.quiet as boolean });
        const sim = simulationForView(s, a.what as string, at, (f) => bar.update(Math.round(f * endMs)));
        bar.stop();
        process.stdout.write(renderView(sim, a.what as string, { guest: a.guest as string | undefined, psr: a.psr as number | undefined, vcpu: a.vcpu as number | undefined, grep: a.grep as string | undefined }));
      },
    )
    .command(
      'cpu-models',
      "List the CPU models, as QEMU's -cpu help does",
      (a) =>
        a
          .option('verbose', { type: 'string', describe: 'Show every fact of one model' })
          .option('machine', { type: 'string', describe: "The models a guest of this machine type has (e.g. pc-q35-9.2); default the chapter's list" }),
      (a) => {
        try {
          const release = a.machine === undefined ? undefined : resolveMachine(a.machine).release;
          process.stdout.write(a.verbose ? renderCpuModelVerbose(a.verbose) : renderCpuHelp({ ...(release && { release }) }));
        } catch (e) {
          if (e instanceof CpuModelError || e instanceof MachineError) throw new InputError(e instanceof MachineError ? `--machine: ${e.message}` : e.message, undefined, undefined, undefined, e.hint);
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
        const cannot: string[] = [];
        for (const g of s.guests) {
          for (const r of migrateCheck(g.cpu, hosts)) {
            rows.push([g.name, g.cpu, r.host, r.ok ? 'yes' : 'no', r.missing.join(' ') || '-']);
            if (!r.ok) cannot.push(`${g.name} on ${r.host}`);
          }
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
        // A guest that cannot run on a host of its group cannot migrate there: a failed check, as a sweep's expect: is.
        if (cannot.length) {
          process.stderr.write(`simvm: migrate-check: cannot run: ${cannot.join(', ')}; ${best ? `give a guest that must migrate cpu: ${best}` : 'the hosts share no model'}\n`);
          setCode(EXIT.check);
        }
      },
    );
}
