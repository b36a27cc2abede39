export default async function globalTeardown() {
  await globalThis.__ZKPSEUDO__?.down({ purge: true });
}
