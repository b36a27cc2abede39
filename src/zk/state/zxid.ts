/** ZooKeeper transaction ids (pure). */

/**
 * The election epoch of a zxid such as `0x200000007`: its high 32 bits. Every leadership
 * starts a new epoch, so a leader whose epoch is higher than a recorded one was elected
 * after that record. Undefined for anything that is not a zxid.
 */
export function zxidEpoch(zxid: string | null | undefined): number | undefined {
  if (typeof zxid !== 'string' || !/^0x[0-9a-fA-F]{1,16}$/.test(zxid)) return undefined;
  return Number(BigInt(zxid) >> 32n);
}
