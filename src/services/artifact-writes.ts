/**
 * Writing a new artifact with everything that goes with it, inside the caller's transaction:
 * the row, its group shares, revision 1 and the graph outbox entry. Shared by direct creation
 * and contribution approval; the caller appends the event.
 */
import type { ArtifactRecord } from '../store/records.ts';
import { insertArtifact, insertRevision, insertShares, type NewArtifact } from '../store/repositories/artifacts.repo.ts';
import { enqueueGraphChange } from '../store/repositories/relationships.repo.ts';
import type { Queryable } from '../store/types.ts';

/** Inserts `values` shared with `groupIds`, with its CREATED revision by `actorId`. */
export async function insertArtifactWithHistory(tx: Queryable, values: NewArtifact, groupIds: readonly string[], actorId: string): Promise<ArtifactRecord> {
  const artifact = await insertArtifact(tx, values);
  await insertShares(tx, values.orgId, artifact.id, groupIds);
  await insertRevision(tx, { orgId: values.orgId, artifact, change: 'CREATED', previousDigest: null, changedBy: actorId, metadataJson: values.metadataJson });
  await enqueueGraphChange(tx, values.orgId, 'artifact', artifact.id);
  return artifact;
}
