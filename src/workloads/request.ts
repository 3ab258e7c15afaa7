import { VEC_DEVICE } from '../cpu/isa.js';
import { dur, oneOf, type Field } from '../util/params.js';
import { cyc, PORT_IO_SUBMIT, PORT_REQ_DONE, type WorkloadDef } from './common.js';

const CAP = 256;

/**
 * Open-loop requests, as a server sees them: arrivals at a rate (Poisson),
 * received by QEMU's main loop (a virtio-net-like device with one queue per
 * vCPU), written into that vCPU's ring in guest memory with an interrupt;
 * the vCPU serves it (computation) and rings a doorbell (an I/O exit) to
 * complete it. Latency runs from arrival to the completion exit's end.
 */
export const request: WorkloadDef = {
  help: 'Open-loop request serving: Poisson arrivals, per-vCPU queues, computation, a completion I/O exit.',
  params: {
    rate: { type: 'rate', help: 'Arrivals per second for the whole guest (e.g. 2000/s).', default: 1000, min: 0 } as Field,
    service: dur('Mean computation per request.', 100_000),
    service_dist: oneOf(['exp', 'fixed'], 'Distribution of the computation: exponential or fixed.', 'exp'),
    rx_cost: dur('QEMU main-loop work to receive one request (assumption: a few us per packet for a user-space device model).', 3_000),
    completion: oneOf(['qemu', 'kvm'], 'Who handles the completion doorbell: QEMU in user space, or KVM (ioeventfd).', 'qemu'),
  },
  build(p, ctx) {
    const n = ctx.maxcpus;
    const source = [
      '; request workload: per-vCPU rings [head, tail] + entries [id, cycles]',
      `.equ CAP ${CAP}`,
      `.data ctl ${n * 8}`,
      `.data ring ${n * CAP * 2}`,
      '  vcpu r0',
      '  mul r1, r0, 8',
      `  mul r2, r0, ${CAP * 2}`,
      'loop:',
      '  ld r3, [ctl+r1]',
      '  ld r4, [ctl+r1+1]',
      '  bne r3, r4, have',
      '  hlt',
      '  jmp loop',
      'have:',
      `  and r5, r3, ${CAP - 1}`,
      '  mul r5, r5, 2',
      '  add r5, r5, r2',
      '  ld r6, [ring+r5]',
      '  ld r7, [ring+r5+1]',
      '  add r3, r3, 1',
      '  st r3, [ctl+r1]',
      '  work r7',
      `  out ${PORT_REQ_DONE}, r6`,
      '  count requests',
      '  jmp loop',
    ].join('\n');
    const meanCycles = cyc(p.service, ctx.freqHz);
    return {
      source,
      throughput: { counter: 'requests', unit: 'requests' },
      latencies: ['request'],
      install(env) {
        const ctl = env.program.data.get('ctl')!.addr;
        const ring = env.program.data.get('ring')!.addr;
        const arrivals = env.rng('arrivals');
        const service = env.rng('service');
        const rss = env.rng('rss');
        const pending = new Map<number, number>();
        let nextId = 1;
        const meanGap = p.rate > 0 ? 1e9 / p.rate : Infinity;
        const arrive = (now: number) => {
          const id = nextId++;
          pending.set(id, now);
          const work = p.service_dist === 'exp' ? Math.round(service.exp(meanCycles)) : meanCycles;
          const target = rss.int(env.online());
          env.count('issued', now);
          env.mainLoop(p.rx_cost, (t) => {
            const base = ctl + target * 8;
            const head = env.mem[base];
            const tail = env.mem[base + 1];
            if (tail - head >= CAP) {
              pending.delete(id);
              env.count('dropped', t);
              return;
            }
            const slot = ring + target * CAP * 2 + (tail % CAP) * 2;
            env.write(slot, id, t);
            env.write(slot + 1, work, t);
            env.write(base + 1, tail + 1, t);
            env.interrupt(target, VEC_DEVICE, t);
          });
          if (Number.isFinite(meanGap)) env.at(now + Math.max(1, Math.round(arrivals.exp(meanGap))), arrive);
        };
        if (Number.isFinite(meanGap)) env.at(Math.max(1, Math.round(arrivals.exp(meanGap))), arrive);
        env.port(PORT_REQ_DONE, {
          inKernel: p.completion === 'kvm',
          out(value, _cpu, now) {
            const t0 = pending.get(value);
            if (t0 === undefined) return;
            pending.delete(value);
            env.latency('request', now - t0, now);
            env.count('completed', now);
          },
        });
        env.gauge('in_flight', () => pending.size);
      },
    };
  },
};

/**
 * Synchronous I/O to an emulated device: submit with a port write (an exit
 * to QEMU), halt until the completion interrupt, measure the round trip.
 */
export const io: WorkloadDef = {
  help: 'Synchronous I/O to an emulated device: submit (exit to QEMU), device latency, completion interrupt.',
  params: {
    think: dur('Computation between I/Os.', 20_000),
    device_latency: dur('Device service time (fixed).', 100_000),
    completion_cost: dur('QEMU main-loop work to complete one I/O.', 5_000),
  },
  build(p, ctx) {
    const n = ctx.maxcpus;
    const source = [
      '; io workload',
      `.data done ${n * 8}`,
      '  vcpu r0',
      '  mul r1, r0, 8',
      'loop:',
      `  work ${cyc(p.think, ctx.freqHz)}`,
      '  rdtsc r10',
      `  out ${PORT_IO_SUBMIT}, r0`,
      'wait:',
      '  ld r2, [done+r1]',
      '  bne r2, 0, got',
      '  hlt',
      '  jmp wait',
      'got:',
      '  li r2, 0',
      '  st r2, [done+r1]',
      '  rdtsc r11',
      '  sub r11, r11, r10',
      '  sample io, r11',
      '  count ios',
      '  jmp loop',
    ].join('\n');
    return {
      source,
      throughput: { counter: 'ios', unit: 'I/Os' },
      latencies: ['io'],
      install(env) {
        const done = env.program.data.get('done')!.addr;
        env.port(PORT_IO_SUBMIT, {
          inKernel: false,
          out(cpu, _c, now) {
            env.at(now + p.device_latency, () =>
              env.mainLoop(p.completion_cost, (t) => {
                env.write(done + cpu * 8, 1, t);
                env.interrupt(cpu, VEC_DEVICE, t);
              }),
            );
          },
        });
      },
    };
  },
};
