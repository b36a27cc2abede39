export default async function globalTeardown() {
  await globalThis.__ZKPSEUDO__?.down(); // up() made it, so down() deletes it
}
