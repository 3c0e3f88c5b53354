/**
 * Documents written from a mini-program through the client SDK always carry `_openid` (the
 * platform sets it; the client cannot leave it out), while this function writes as admin and
 * never sets it. The identities and link_tickets collections are written by this function only,
 * so a document there with `_openid` was written by a client: the collection is not ADMINONLY
 * (created by code or in the console with a default permission) and someone is trying to claim an
 * identity or forge a link ticket. Such documents are never trusted.
 */
export function isClientWritten(data: { _openid?: unknown } | null | undefined): boolean {
  return typeof data?._openid === 'string';
}

/** Logged when this function has to create a collection: only the console can restrict it. */
export function collectionCreatedWarning(name: string): string {
  return `created collection ${name}: set its permission to ADMINONLY (仅管理端可读写) in the CloudBase console, or deploy with npm run deploy`;
}
