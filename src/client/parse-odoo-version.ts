/**
 * Parses the version object of `common.version` (or `/web/webclient/version_info`) into major and minor numbers.
 *
 * @packageDocumentation
 */

import { ProtocolError } from '../errors.js';
import type { ZenooErrorOptions } from '../errors.js';
import { describeValue } from './json-rpc-envelope.js';
import type { OdooVersion } from './types.js';

/** Reads a version part that may be a number (`17`) or a SaaS label (`'saas~17'`). */
function versionNumber(part: unknown): number | undefined {
  if (typeof part === 'number' && Number.isInteger(part) && part >= 0) return part;
  if (typeof part === 'string') {
    const match = /(\d+)$/.exec(part);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return undefined;
}

/**
 * Parses a raw version object. `server_version_info[0]` and `[1]` win (they are what Odoo documents); the
 * `server_version` string (`17.0+e`, `saas~17.2+e`) is the fallback.
 *
 * @throws ProtocolError when neither yields a major and a minor version.
 */
export function parseOdooVersion(
  raw: Readonly<Record<string, unknown>>,
  errorOptions: ZenooErrorOptions = {},
): OdooVersion {
  const serverVersion = typeof raw['server_version'] === 'string' ? raw['server_version'] : '';
  const info = Array.isArray(raw['server_version_info']) ? (raw['server_version_info'] as unknown[]) : [];
  let major = versionNumber(info[0]);
  let minor = versionNumber(info[1]);
  if (major === undefined || minor === undefined) {
    const match = /(\d+)\.(\d+)/.exec(serverVersion);
    if (match?.[1] !== undefined && match[2] !== undefined) {
      major = Number(match[1]);
      minor = Number(match[2]);
    }
  }
  if (major === undefined || minor === undefined) {
    throw new ProtocolError(
      `The server's version answer has no usable server_version_info or server_version: ${describeValue(raw)}. Is this an Odoo server?`,
      describeValue(raw),
      errorOptions,
    );
  }
  return Object.freeze({
    serverVersion: serverVersion || `${major}.${minor}`,
    major,
    minor,
    raw: Object.freeze({ ...raw }),
  });
}
