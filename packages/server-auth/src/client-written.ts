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

/**
 * Whether a users document found for a caller may be treated as theirs (the trust rule of
 * model.ts). `users` may be client-writable (this function creates it when it is missing), so a
 * document with `_openid` was written by a client and proves nothing about whose it is:
 * - vouched for by an identity document this function wrote (`vouched` holds the userIds of the
 *   caller's own, not client-written identity documents): an adopted legacy document, the
 *   function's since its adoption;
 * - or, not adopted yet (no identityKeys), its `_openid` is the caller's own openid and its
 *   `openid` field, if any, says the same: the caller's own tutorial-era document.
 * A document without `_openid` was written by a cloud function (as admin), never by a client.
 * An imported account (`importedFrom`, scripts/lib/admin/import) is the caller's only when vouched
 * for: an import cut short can leave one listing keys it never claimed (its owner deleted the
 * account meanwhile, or an older importer wrote users before claims), and a login must not sign in
 * to it — the next import removes it.
 */
export function isTrustedUser(
  user: { _id: string; _openid?: unknown; openid?: unknown; identityKeys?: unknown; importedFrom?: unknown },
  vouched: ReadonlySet<string>,
  callerOpenid?: string,
): boolean {
  if (vouched.has(user._id)) return true;
  if (user.importedFrom !== undefined) return false;
  if (!isClientWritten(user)) return true;
  // A client-written document is a legacy document of the caller exactly when the caller wrote it.
  return callerOpenid !== undefined && isLegacyDocumentOf(user, callerOpenid);
}

/**
 * Whether a users document is a not-adopted legacy document of `openid`: written by the caller
 * itself (`_openid`, with no different `openid`), or by a cloud function recording `openid`.
 * A document whose `openid` differs from its `_openid` was written by someone else about them.
 */
export function isLegacyDocumentOf(user: { _openid?: unknown; openid?: unknown; identityKeys?: unknown }, openid: string): boolean {
  if (user.identityKeys !== undefined) return false;
  if (isClientWritten(user)) return user._openid === openid && (user.openid === undefined || user.openid === openid);
  return user.openid === openid;
}

/** Logged when this function has to create a collection: only the console can restrict it. */
export function collectionCreatedWarning(name: string): string {
  return `created collection ${name}: set its permission to ADMINONLY (仅管理端可读写) in the CloudBase console, or deploy with npm run deploy`;
}
