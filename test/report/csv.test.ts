import { describe, expect, it } from 'vitest';
import { csvField, csvTable, renderCsv } from '../../src/report/csv.js';
import { run } from '../helpers.js';

/** A minimal RFC 4180 reader, to check that what is written reads back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (c === '"') (quoted = false), i++;
      else (field += c), i++;
    } else if (c === '"') (quoted = true), i++;
    else if (c === ',') row.push(field), (field = ''), i++;
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), (i += 2);
    else (field += c), i++;
  }
  expect(field).toBe('');
  expect(row).toEqual([]);
  return rows;
}

describe('CSV (RFC 4180)', () => {
  it('quotes fields with commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('4,maxcpus=8')).toBe('"4,maxcpus=8"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(1.5)).toBe('1.5');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
  });

  it('keeps spreadsheets from running text as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('ends every line with CRLF and reads back', () => {
    const rows = [['a,b', 'c"d', 'e\r\nf'], [1, -2.5, '']];
    const text = csvTable(['x', 'y', 'z'], rows);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text)).toEqual([['x', 'y', 'z'], ['a,b', 'c"d', 'e\r\nf'], ['1', '-2.5', '']]);
  });

  it('exports the main tables of a run with one row per guest, vCPU, pCPU and latency metric', () => {
    const r = run('many-guests-16on4.yaml', { duration: '50ms', sets: ['warmup=20ms'] });
    const files = renderCsv(r);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['guests.csv', 'vcpus.csv', 'pcpus.csv', 'latency.csv', 'series-guests.csv', 'series-pcpus.csv']));
    const table = (name: string) => {
      const [head, ...rows] = parseCsv(files[name]);
      for (const row of rows) expect(row.length).toBe(head.length);
      return { head, rows };
    };
    const guests = table('guests.csv');
    expect(guests.rows.map((x) => x[0])).toEqual(r.guests.map((g) => g.name));
    expect(Number(guests.rows[0][guests.head.indexOf('throughput_per_s')])).toBe(r.guests[0].throughput.per_second);
    expect(table('vcpus.csv').rows.length).toBe(r.guests.reduce((a, g) => a + g.vcpu.length, 0));
    const pcpus = table('pcpus.csv');
    expect(pcpus.rows.length).toBe(r.pcpus.length);
    expect(Number(pcpus.rows[0][pcpus.head.indexOf('idle_ns')])).toBe(r.pcpus[0].time_ns.idle);
    const lat = table('latency.csv');
    expect(lat.rows.length).toBe(r.guests.reduce((a, g) => a + Object.keys(g.latency).length, 0));
    expect(lat.head).toContain('p99_ns');
    expect(table('series-guests.csv').rows.length).toBe(r.series!.t_ns.length * r.guests.length);
  });
});
