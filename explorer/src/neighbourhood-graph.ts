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
 * `d × ringGap`, evenly spaced. Each ring is ordered by the angle of the node's nearest
 * parent on the ring inside it, so children sit near their parent and edges cross little.
 */
export function radialLayout(graph: Neighbourhood, ringGap = 130): Map<string, Placed> {
  const placed = new Map<string, Placed & { angle: number }>();
  placed.set(graph.centerId, { x: 0, y: 0, angle: 0 });
  const rings = new Map<number, GraphNode[]>();
  for (const node of graph.nodes) {
    if (node.id === graph.centerId) continue;
    rings.set(node.distance, [...(rings.get(node.distance) ?? []), node]);
  }
  for (const distance of [...rings.keys()].sort((a, b) => a - b)) {
    const ring = rings.get(distance) ?? [];
    const parentAngle = (id: string): number => {
      for (const e of graph.edges) {
        const other = e.from === id ? e.to : e.to === id ? e.from : undefined;
        const parent = other === undefined ? undefined : placed.get(other);
        if (parent && other !== id && graph.nodes.find((n) => n.id === other)?.distance === distance - 1) return parent.angle;
      }
      return Number.POSITIVE_INFINITY; // no parent known: after the others, in the order given
    };
    const ordered = ring.map((node, index) => ({ node, index, key: parentAngle(node.id) })).sort((a, b) => a.key - b.key || a.index - b.index);
    const radius = distance * ringGap;
    // Start at the top (−90°); offset outer rings by half a step so labels interleave.
    const step = (2 * Math.PI) / ordered.length;
    const offset = -Math.PI / 2 + (distance > 1 ? step / 2 : 0);
    ordered.forEach(({ node }, i) => {
      const angle = offset + i * step;
      placed.set(node.id, { x: round(radius * Math.cos(angle)), y: round(radius * Math.sin(angle)), angle });
    });
  }
  return new Map([...placed].map(([id, { x, y }]) => [id, { x, y }]));
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
