import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SLOW_MS,
  formatFaultSpec,
  NO_FAULTS,
  parseFaultSpec,
  resolveFaults,
  TRANSIENT_FAULT_KINDS,
} from '../../../src/sandbox/sandbox-faults.js';

describe('parseFaultSpec', () => {
  it('parses the documented example', () => {
    expect(parseFaultSpec('transient=0.05,drop=0.02,slow=0.1:2000,seed=7')).toEqual({
      transient: 0.05,
      drop: 0.02,
      slow: 0.1,
      slowMs: 2000,
      seed: 7,
    });
  });

  it('parses kinds, scope and a slow rate without delay', () => {
    expect(parseFaultSpec(' transient=0.5 , kinds=503+serialization, slow=0.1, scope=all ')).toEqual({
      transient: 0.5,
      transientKinds: ['http-503', 'serialization'],
      slow: 0.1,
      scope: 'all',
    });
  });

  it('treats empty and none as no faults', () => {
    expect(parseFaultSpec('')).toEqual({});
    expect(parseFaultSpec('none')).toEqual({});
  });

  it.each([
    ['transient=abc', /at "transient=abc": transient must be a rate between 0 and 1/],
    ['transient=1.5', /transient must be a rate between 0 and 1/],
    ['bogus=1', /unknown key "bogus" \(expected one of transient, kinds, drop, slow, scope, seed\)/],
    ['drop', /at "drop": expected key=value/],
    ['drop=0.1,,slow=0.1', /empty entry/],
    ['drop=0.1,drop=0.2', /"drop" is given twice/],
    ['slow=0.1:abc', /slow delay must be a whole number of milliseconds/],
    ['slow=0.1:1:2', /slow must be RATE or RATE:MS/],
    ['kinds=503+boom', /unknown transient kind "boom"/],
    ['scope=some', /scope must be "object" or "all"/],
    ['seed=1.5', /seed must be an integer/],
  ])('rejects %s with a precise message', (spec, message) => {
    expect(() => parseFaultSpec(spec)).toThrow(TypeError);
    expect(() => parseFaultSpec(spec)).toThrow(message);
    expect(() => parseFaultSpec(spec)).toThrow(/Example: transient=0.05,drop=0.02,slow=0.1:2000,seed=7/);
  });
});

describe('resolveFaults', () => {
  it('applies defaults and freezes', () => {
    const faults = resolveFaults({ drop: 0.1 });
    expect(faults).toEqual({ ...NO_FAULTS, drop: 0.1 });
    expect(faults.slowMs).toBe(DEFAULT_SLOW_MS);
    expect(faults.transientKinds).toEqual(TRANSIENT_FAULT_KINDS);
    expect(Object.isFrozen(faults)).toBe(true);
    expect(resolveFaults(undefined)).toBe(NO_FAULTS);
  });

  it('accepts a SPEC string', () => {
    expect(resolveFaults('transient=0.2,seed=3')).toMatchObject({ transient: 0.2, seed: 3 });
  });

  it('rejects rates that overlap or are out of range, and unknown fields', () => {
    expect(() => resolveFaults({ transient: 0.6, drop: 0.3, slow: 0.2 })).toThrow(/must not exceed 1/);
    expect(() => resolveFaults({ drop: -0.1 })).toThrow(
      'Expected `faults.drop` to be a rate between 0 and 1, got -0.1',
    );
    expect(() => resolveFaults({ dorp: 0.1 } as never, 'setFaults()')).toThrow('Unknown field `setFaults().dorp`');
    expect(() => resolveFaults({ transientKinds: [] })).toThrow(/non-empty list/);
    expect(() => resolveFaults({ slowMs: 1.5 })).toThrow(/slowMs/);
    expect(() => resolveFaults({ scope: 'x' as never })).toThrow(/scope/);
  });

  it('round-trips through formatFaultSpec', () => {
    const spec = 'transient=0.05,kinds=503+reset,drop=0.02,slow=0.1:1500,scope=all,seed=7';
    expect(formatFaultSpec(resolveFaults(spec))).toBe(spec);
    expect(formatFaultSpec(NO_FAULTS)).toBe('none');
  });
});
