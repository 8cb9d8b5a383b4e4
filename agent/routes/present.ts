// The JSON shapes of API resources: ISO-8601 UTC instants, ids as numbers, money as integer cents.
import type { ArtistRow } from '../stores/artist-store.ts';
import type { PledgeRow } from '../stores/pledge-store.ts';

export function presentPledge(pledge: PledgeRow) {
  return {
    id: pledge.id,
    artistId: pledge.artistId,
    amountCents: pledge.amountCents,
    createdAt: pledge.createdAt.toISOString(),
    cancelledAt: pledge.cancelledAt?.toISOString() ?? null,
  };
}

export function presentArtist(artist: ArtistRow & { activePledgers?: number }) {
  return {
    id: artist.id,
    name: artist.name,
    ownerId: artist.userId,
    createdAt: artist.createdAt.toISOString(),
    ...(artist.activePledgers === undefined ? {} : { activePledgers: artist.activePledgers }),
  };
}
