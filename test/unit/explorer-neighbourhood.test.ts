/**
 * The explorer's neighbourhood view data (explorer/src/neighbourhood-graph.ts): the graph it
 * makes of a query answer, and the radial layout.
 */
import { describe, expect, it } from 'vitest';
import { forceLayout, radialLayout, toNeighbourhood, type NeighbourhoodData } from '../../explorer/src/neighbourhood-graph.ts';

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
    // The first ring starts at the top; c, b's child, faces b from the ring outside.
    expect(placed.get('b')).toEqual({ x: 0, y: -100 });
    expect(placed.get('c')).toEqual({ x: 0, y: -200 });
  });

  it('turns an outer ring so children sit by their parents', () => {
    // a's neighbours p (top) and q (bottom); p's child pc and q's child qc.
    const graph = toNeighbourhood({
      artifact: {
        ...artifact('a', 'A', [rel('r1', 'X', 'a', 'p'), rel('r2', 'X', 'a', 'q')]),
        neighbors: [artifact('p', 'P'), artifact('q', 'Q'), artifact('qc', 'QC', [rel('r3', 'X', 'q', 'qc')]), artifact('pc', 'PC', [rel('r4', 'X', 'pc', 'p')])],
      },
    })!;
    const placed = radialLayout(graph, 100);
    expect(placed.get('p')).toEqual({ x: 0, y: -100 });
    expect(placed.get('q')).toEqual({ x: 0, y: 100 });
    expect(placed.get('pc')).toEqual({ x: 0, y: -200 });
    expect(placed.get('qc')).toEqual({ x: 0, y: 200 });
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

describe('forceLayout', () => {
  // a's neighbours p and q are related to each other: the radial seed puts them opposite.
  const graph = toNeighbourhood({
    artifact: {
      ...artifact('a', 'A', [rel('r1', 'X', 'a', 'p'), rel('r2', 'X', 'a', 'q')]),
      neighbors: [artifact('p', 'P', [rel('r5', 'Y', 'p', 'q')]), artifact('q', 'Q'), artifact('pc', 'PC', [rel('r4', 'X', 'pc', 'p')]), artifact('qc', 'QC', [rel('r3', 'X', 'q', 'qc')])],
    },
  })!;
  const placed = forceLayout(graph, 100);
  const at = (id: string) => placed.get(id)!;
  const radius = (id: string) => Math.hypot(at(id).x, at(id).y);

  it('keeps the centre at the origin, hops readable outwards, and nodes apart', () => {
    expect(at('a')).toEqual({ x: 0, y: 0 });
    expect(Math.max(radius('p'), radius('q'))).toBeLessThan(Math.min(radius('pc'), radius('qc')));
    const ids = [...placed.keys()];
    for (const [i, one] of ids.entries()) for (const other of ids.slice(i + 1)) expect(Math.hypot(at(one).x - at(other).x, at(one).y - at(other).y)).toBeGreaterThan(60);
  });

  it('draws related neighbours side by side rather than across the centre', () => {
    const angle = (id: string) => Math.atan2(at(id).y, at(id).x);
    let between = Math.abs(angle('p') - angle('q'));
    if (between > Math.PI) between = 2 * Math.PI - between;
    expect(between).toBeLessThan(Math.PI * 0.8);
  });

  it('is deterministic', () => {
    expect(forceLayout(graph, 100)).toEqual(placed);
  });
});
