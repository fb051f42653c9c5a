import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../../../src/errors.js';
import { parseOdooVersion } from '../../../src/client/parse-odoo-version.js';
import { loadWireFile } from '../../conformance/wire-file.js';

const exchanges = loadWireFile().flatMap((capture) => capture.exchanges);
const wireExchange = (title: string) => {
  const found = exchanges.find((exchange) => exchange.title === title);
  if (!found) throw new Error(`No exchange titled "${title}" in the wire file`);
  return found;
};

describe('parseOdooVersion', () => {
  it('parses the captured 17.0 answer', () => {
    const raw = wireExchange('common.version').response['result'] as Record<string, unknown>;
    expect(parseOdooVersion(raw)).toMatchObject({ serverVersion: '17.0', major: 17, minor: 0, raw });
  });

  it.each([
    [{ server_version: '17.0+e', server_version_info: [17, 0, 0, 'final', 0, 'e'] }, 17, 0],
    [{ server_version: 'saas~17.2+e', server_version_info: ['saas~17', 2, 0, 'final', 0, 'e'] }, 17, 2],
    [{ server_version: '16.0' }, 16, 0],
    [{ server_version: '18.0', server_version_info: [18, 0, 0, 'final', 0, ''] }, 18, 0],
  ])('parses %j', (raw, major, minor) => {
    expect(parseOdooVersion(raw)).toMatchObject({ major, minor });
  });

  it('rejects an answer without a version', () => {
    expect(() => parseOdooVersion({ hello: 'world' })).toThrow(ProtocolError);
  });
});
