import { describe, expect, it } from 'vitest';
import { EventHub } from '../../../src/util/event-hub.js';

type Event = { type: 'start'; at: number } | { type: 'done'; ms: number };

describe('EventHub', () => {
  it('delivers to the listeners of the type, then to those of every event, in order; unsubscribes', () => {
    const hub = new EventHub<Event>();
    const seen: string[] = [];
    const stopDone = hub.on('done', (event) => seen.push(`done ${event.ms}`));
    hub.onAny((event) => seen.push(`any ${event.type}`));
    hub.onAny(undefined);
    hub.emit({ type: 'start', at: 1 });
    hub.emit({ type: 'done', ms: 5 });
    stopDone();
    hub.emit({ type: 'done', ms: 6 });
    expect(seen).toEqual(['any start', 'done 5', 'any done', 'any done']);
  });

  it('a listener that throws or rejects breaks neither the emitter nor the others; its error is handed over', async () => {
    const errors: string[] = [];
    const hub = new EventHub<Event>((error, event) => errors.push(`${event.type}: ${(error as Error).message}`));
    const seen: number[] = [];
    hub.on('done', () => {
      throw new Error('boom');
    });
    hub.on('done', () => Promise.reject(new Error('later')));
    hub.on('done', (event) => seen.push(event.ms));
    expect(() => hub.emit({ type: 'done', ms: 1 })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1]);
    expect(errors).toEqual(['done: boom', 'done: later']);
  });

  it('does not await a listener: events never hold the emitter up', () => {
    const hub = new EventHub<Event>();
    let finished = false;
    hub.onAny(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      finished = true;
    });
    hub.emit({ type: 'start', at: 0 });
    expect(finished).toBe(false);
  });
});
