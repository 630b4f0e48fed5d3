/**
 * The neighbourhood view's data: the query it sends, the graph it makes of the answer, and a
 * radial layout (the centre in the middle, each ring one hop further out). Pure functions, no
 * DOM, so they are unit-tested under Node (test/unit/explorer-neighbourhood.test.ts).
 */

/** Most neighbours and relationships per artifact the view asks for. */
export const NEIGHBOURHOOD_LIMITS = { neighbors: 40, relationships: 50 } as const;

/**
 * An artifact, its visible neighbours within `$depth` hops, and the relationships of each (so
 * edges between neighbours show too). Cost ≈ 40 × 50 × 6 fields, well under the default limit.
 */
export const NEIGHBOURHOOD_QUERY = `query Neighbourhood($id: ID!, $depth: Int!) {
  artifact(id: $id) {
    ...NeighbourhoodNode
    neighbors(depth: $depth, first: ${NEIGHBOURHOOD_LIMITS.neighbors}) { ...NeighbourhoodNode }
  }
}
fragment NeighbourhoodNode on Artifact {
  id
  title
  name
  kind
  relationships(first: ${NEIGHBOURHOOD_LIMITS.relationships}) {
    edges { node { id type from { id } to { id } } }
  }
}`;

interface ArtifactData {
  id: string;
  title?: string | null;
  name?: string | null;
  kind: string;
  relationships: { edges: { node: { id: string; type: string; from: { id: string }; to: { id: string } } }[] };
}

/** `data` of {@link NEIGHBOURHOOD_QUERY}. */
export interface NeighbourhoodData {
  artifact: (ArtifactData & { neighbors: ArtifactData[] }) | null;
}

/** One artifact of the view; `distance` is hops from the centre over the edges shown (0 = centre). */
export interface GraphNode {
  id: string;
  label: string;
  kind: string;
  distance: number;
}

/** One relationship between two nodes of the view. */
export interface GraphEdge {
  id: string;
  type: string;
  from: string;
  to: string;
}

/** What the view draws. */
export interface Neighbourhood {
  centerId: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * Makes the view's graph of a query answer: the centre and its neighbours as nodes; every
 * relationship with both ends among them as an edge (once); distances by breadth-first search
 * from the centre. Returns undefined when the artifact is absent (or invisible).
 */
export function toNeighbourhood(data: NeighbourhoodData): Neighbourhood | undefined {
  const center = data.artifact;
  if (!center) return undefined;
  const artifacts = [center, ...center.neighbors.filter((n) => n.id !== center.id)];
  const ids = new Set(artifacts.map((a) => a.id));
  const edges = new Map<string, GraphEdge>();
  for (const artifact of artifacts) {
    for (const { node } of artifact.relationships.edges) {
      if (ids.has(node.from.id) && ids.has(node.to.id) && !edges.has(node.id)) {
        edges.set(node.id, { id: node.id, type: node.type, from: node.from.id, to: node.to.id });
      }
    }
  }
  const distance = hops(center.id, [...edges.values()]);
  // A neighbour reached only through a relationship beyond the page asked for sits on the outer ring.
  const outer = Math.max(1, ...distance.values());
  return {
    centerId: center.id,
    nodes: artifacts.map((a) => ({ id: a.id, label: labelOf(a), kind: a.kind, distance: distance.get(a.id) ?? outer })),
    edges: [...edges.values()],
  };
}

function labelOf(a: ArtifactData): string {
  return a.title?.trim() || a.name?.trim() || `(untitled ${a.kind})`;
}

/** Hops from `start` to every node reachable over `edges`, ignoring direction. */
function hops(start: string, edges: readonly GraphEdge[]): Map<string, number> {
  const adjacent = new Map<string, string[]>();
  const link = (a: string, b: string) => adjacent.set(a, [...(adjacent.get(a) ?? []), b]);
  for (const e of edges) {
    link(e.from, e.to);
    link(e.to, e.from);
  }
  const distance = new Map([[start, 0]]);
  const queue = [start];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const d = distance.get(next) ?? 0;
    for (const other of adjacent.get(next) ?? []) {
      if (!distance.has(other)) {
        distance.set(other, d + 1);
        queue.push(other);
      }
    }
  }
  return distance;
}

/** A node's place in the drawing, centre at (0, 0). */
export interface Placed {
  x: number;
  y: number;
}

/**
 * Radial layout: the centre at the origin, nodes `d` hops away on a circle of radius
 * `d × ringGap`, evenly spaced. The first ring starts at the top; each further ring is ordered
 * by the angle of each node's parent (a neighbour on the ring inside) and turned so that
 * nodes sit as close to their parents' angles as even spacing allows, so edges cross little.
 */
export function radialLayout(graph: Neighbourhood, ringGap = 130): Map<string, Placed> {
  const angles = new Map<string, number>([[graph.centerId, 0]]);
  const placed = new Map<string, Placed>([[graph.centerId, { x: 0, y: 0 }]]);
  const distanceOf = new Map(graph.nodes.map((n) => [n.id, n.distance]));
  const rings = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) {
    if (node.id === graph.centerId) continue;
    rings.set(node.distance, [...(rings.get(node.distance) ?? []), node]);
  }
  for (const distance of [...rings.keys()].sort((a, b) => a - b)) {
    const ring = rings.get(distance) ?? [];
    const parentAngle = (id: string): number | undefined => {
      for (const e of graph.edges) {
        const other = e.from === id ? e.to : e.to === id ? e.from : undefined;
        if (other !== undefined && other !== id && distanceOf.get(other) === distance - 1 && angles.has(other)) return angles.get(other);
      }
      return undefined;
    };
    const ordered = ring
      .map((node, index) => ({ node, index, parent: distance > 1 ? parentAngle(node.id) : undefined }))
      // Nodes without a known parent go last, in the order given.
      .sort((a, b) => (a.parent ?? Number.POSITIVE_INFINITY) - (b.parent ?? Number.POSITIVE_INFINITY) || a.index - b.index);
    const step = (2 * Math.PI) / ordered.length;
    // Turn the ring by the circular mean of (parent angle − slot angle): children face their parents.
    let sin = 0;
    let cos = 0;
    ordered.forEach(({ parent }, i) => {
      if (parent === undefined) return;
      sin += Math.sin(parent - i * step);
      cos += Math.cos(parent - i * step);
    });
    const offset = sin === 0 && cos === 0 ? -Math.PI / 2 : Math.atan2(sin, cos);
    const radius = distance * ringGap;
    ordered.forEach(({ node }, i) => {
      const angle = offset + i * step;
      angles.set(node.id, angle);
      placed.set(node.id, { x: round(radius * Math.cos(angle)), y: round(radius * Math.sin(angle)) });
    });
  }
  return placed;
}

/**
 * Refines {@link radialLayout} with a few hundred steps of a deterministic force simulation:
 * nodes push each other apart, relationships pull their ends together, and each node is held
 * near its ring (so hops still read outwards). The centre stays at the origin. Two neighbours
 * that are related to each other thereby move closer instead of facing across the centre.
 */
export function forceLayout(graph: Neighbourhood, ringGap = 130, iterations = 300): Map<string, Placed> {
  const seed = radialLayout(graph, ringGap);
  // A small deterministic turn per node breaks the symmetry of the seed (nodes in a line through
  // the centre would otherwise stay in it).
  const nodes = graph.nodes.map((n, i) => {
    const { x, y } = seed.get(n.id) ?? { x: 0, y: 0 };
    const turn = 0.03 * (i + 1);
    return { id: n.id, ring: n.distance * ringGap, fixed: n.id === graph.centerId, x: x * Math.cos(turn) - y * Math.sin(turn), y: x * Math.sin(turn) + y * Math.cos(turn) };
  });
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const springs = graph.edges.flatMap((e) => {
    const a = index.get(e.from);
    const b = index.get(e.to);
    return a === undefined || b === undefined || a === b ? [] : [[a, b] as const];
  });
  const k = ringGap * 0.75;
  let temperature = ringGap / 4;
  for (let step = 0; step < iterations; step++) {
    const force = nodes.map(() => ({ x: 0, y: 0 }));
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const [a, b] = [nodes[i]!, nodes[j]!];
        let dx = a.x - b.x;
        let dy = a.y - b.y;
        let d = Math.hypot(dx, dy);
        if (d < 0.01) [dx, dy, d] = [0.01 * (i + 1), 0.01 * (j + 1), 0.015]; // same spot: split them deterministically
        const push = (k * k) / d;
        force[i]!.x += (dx / d) * push;
        force[i]!.y += (dy / d) * push;
        force[j]!.x -= (dx / d) * push;
        force[j]!.y -= (dy / d) * push;
      }
    }
    for (const [i, j] of springs) {
      const [a, b] = [nodes[i]!, nodes[j]!];
      const dx = a.x - b.x;
      const dy = a.y - b.y;
      const d = Math.hypot(dx, dy) || 0.01;
      const pull = (d * d) / k / 2;
      force[i]!.x -= (dx / d) * pull;
      force[i]!.y -= (dy / d) * pull;
      force[j]!.x += (dx / d) * pull;
      force[j]!.y += (dy / d) * pull;
    }
    nodes.forEach((n, i) => {
      if (n.fixed) return;
      const r = Math.hypot(n.x, n.y) || 0.01;
      const toRing = (n.ring - r) * 2; // strong: hops stay readable
      const f = force[i]!;
      f.x += (n.x / r) * toRing;
      f.y += (n.y / r) * toRing;
      const size = Math.hypot(f.x, f.y);
      if (size === 0) return;
      const move = Math.min(size, temperature);
      n.x += (f.x / size) * move;
      n.y += (f.y / size) * move;
    });
    temperature = Math.max(0.5, temperature * 0.985);
  }
  return new Map(nodes.map((n) => [n.id, { x: round(n.x), y: round(n.y) }]));
}

function round(n: number): number {
  return Math.round(n * 10) / 10 + 0; // + 0 turns −0 into 0
}
