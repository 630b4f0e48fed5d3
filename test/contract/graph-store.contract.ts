/**
 * The GraphStore contract: every graph store must pass these. Traversal joins this suite
 * with the relationships capability; for now a store must connect, prove itself with a
 * round trip, report health and close cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphStore } from '../../src/store/types.ts';

/** A graph store under test. */
export interface GraphStoreHarness {
  name: 'falkordb' | 'sql';
  /** Opens a store with its own graph namespace; `close` releases it and its backing data. */
  open(): Promise<{ store: GraphStore; close: () => Promise<void> }>;
}

/** Registers the contract suite for `harness`. */
export function defineGraphStoreContract(harness: GraphStoreHarness): void {
  describe(`GraphStore contract (${harness.name})`, () => {
    let store: GraphStore;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ store, close } = await harness.open());
    });
    afterAll(async () => close?.());

    it('names its backend', () => {
      expect(store.backend).toBe(harness.name);
    });

    it('reports health up with a measured round trip', async () => {
      const health = await store.health();
      expect(health.status).toBe('up');
      expect(health.backend).toBe(harness.name);
      expect(health.latencyMs).toBeGreaterThanOrEqual(0);
      expect(health.detail).toBeTruthy();
    });

    it('answers many concurrent health probes', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, () => store.health()));
      expect(results.every((r) => r.status === 'up')).toBe(true);
    });
  });
}
