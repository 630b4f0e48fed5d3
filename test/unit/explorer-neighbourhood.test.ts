/**
 * The explorer's neighbourhood view data (explorer/src/neighbourhood-graph.ts): the graph it
 * makes of a query answer, and the radial layout.
 */
import { describe, expect, it } from 'vitest';
import { radialLayout, toNeighbourhood, type NeighbourhoodData } from '../../explorer/src/neighbourhood-graph.ts';

const rel = (id: string, type: string, from: string, to: string) => ({ node: { id, type, from: { id: from }, to: { id: to } } });
const artifact = (id: string, title: string | null, edges: ReturnType<typeof rel>[] = []) => ({
  id,
  title,
  name: null,
  kind: 'fact',
  relationships: { edges },
});

/** a → b → c, a → d; b's relationship to x (not in the answer) must not show. */
const data: NeighbourhoodData = {
  artifact: {
    ...artifact('a', 'Centre', [rel('r1', 'DEPENDS_ON', 'a', 'b'), rel('r3', 'CITES', 'a', 'd')]),
    neighbors: [
      artifact('b', 'B', [rel('r1', 'DEPENDS_ON', 'a', 'b'), rel('r2', 'CITES', 'b', 'c'), rel('r9', 'CITES', 'b', 'x')]),
      artifact('d', '  '),
      artifact('c', 'C', [rel('r2', 'CITES', 'b', 'c')]),
    ],
  },
};

describe('toNeighbourhood', () => {
  it('keeps every relationship between shown artifacts once, and measures hops from the centre', () => {
    const graph = toNeighbourhood(data)!;
    expect(graph.centerId).toBe('a');
    expect(graph.nodes).toEqual([
      { id: 'a', label: 'Centre', kind: 'fact', distance: 0 },
      { id: 'b', label: 'B', kind: 'fact', distance: 1 },
      { id: 'd', label: '(untitled fact)', kind: 'fact', distance: 1 },
      { id: 'c', label: 'C', kind: 'fact', distance: 2 },
    ]);
    expect(graph.edges.map((e) => e.id).sort()).toEqual(['r1', 'r2', 'r3']);
  });

  it('returns undefined for an absent artifact', () => {
    expect(toNeighbourhood({ artifact: null })).toBeUndefined();
  });

  it('puts a neighbour reached only through relationships not fetched on the outer ring', () => {
    const graph = toNeighbourhood({ artifact: { ...artifact('a', 'A', [rel('r1', 'X', 'a', 'b')]), neighbors: [artifact('b', 'B'), artifact('z', 'Z')] } })!;
    expect(graph.nodes.find((n) => n.id === 'z')?.distance).toBe(1);
  });
});

describe('radialLayout', () => {
  it('puts the centre at the origin and each node on the ring of its distance', () => {
    const graph = toNeighbourhood(data)!;
    const placed = radialLayout(graph, 100);
    expect(placed.get('a')).toEqual({ x: 0, y: 0 });
    for (const node of graph.nodes) {
      const p = placed.get(node.id)!;
      expect(Math.hypot(p.x, p.y)).toBeCloseTo(node.distance * 100, 0);
    }
    // The first ring starts at the top.
    expect(placed.get('b')).toEqual({ x: 0, y: -100 });
  });

  it('spreads a ring evenly (no two nodes on one spot)', () => {
    const neighbors = Array.from({ length: 12 }, (_, i) => artifact(`n${i}`, `N${i}`));
    const graph = toNeighbourhood({
      artifact: { ...artifact('a', 'A', neighbors.map((n, i) => rel(`r${i}`, 'X', 'a', n.id))), neighbors },
    })!;
    const points = [...radialLayout(graph, 100).values()].map((p) => `${Math.round(p.x)},${Math.round(p.y)}`);
    expect(new Set(points).size).toBe(13);
  });
});
