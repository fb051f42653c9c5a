import { describe, expect, it } from 'vitest';
import { loadWireFile, parseWireFile } from './wire-file.js';

describe('wire file parser', () => {
  it('parses every exchange of the repository copy into captures', () => {
    const captures = loadWireFile();
    expect(captures).toHaveLength(2);
    const all = captures.flatMap((c) => c.exchanges);
    expect(all.length).toBeGreaterThan(60);
    expect(all[0]).toMatchObject({
      title: 'common.version',
      route: '/jsonrpc',
      capture: 0,
      params: { service: 'common', method: 'version' },
    });
    const routes = new Set(all.map((e) => e.route));
    expect(routes).toEqual(new Set(['/jsonrpc', '/web/session/authenticate', '/web/dataset/call_kw']));
    const noSession = all.find((e) => e.title.includes('without session'));
    expect(noSession).toMatchObject({ route: '/web/dataset/call_kw', withSession: false });
    expect(captures[1]?.exchanges[0]?.title).toBe('check_object_reference base.be');
  });

  it('reports malformed input with file:line', () => {
    expect(() => parseWireFile('## a\n  REQ  {"service":"x"}\n## b\n', 'w.txt')).toThrow(
      'w.txt:3: exchange "a" (line 1) has no RESP line',
    );
    expect(() => parseWireFile('## a\n  REQ  {oops}\n', 'w.txt')).toThrow(/^w\.txt:2: invalid JSON/);
    expect(() => parseWireFile('garbage\n', 'w.txt')).toThrow('w.txt:1: unexpected line');
    expect(() => parseWireFile('## a\n  REQ  {"x":1}\n  RESP {"id":1}\n', 'w.txt')).toThrow(
      /w\.txt:1: cannot tell which route/,
    );
  });
});
