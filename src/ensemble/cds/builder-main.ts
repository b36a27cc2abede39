/** Entry of the CDS archive builder's own process (see builder.ts): `node builder-main.js --zkpseudo-cds-builder TREE ARCHIVE FLAGS_JSON VERSION`. */
import { mkdirOwned } from '../../edge/fs/owned-fs.js';
import path from 'node:path';
import { withLock } from '../../edge/lock/lock.js';
import { CDS_BUILDER_FLAG } from './archive.js';
import { buildArchive } from './builder.js';
import { parseZkVersion } from '../../zk/versions.js';

const [flag, tree, archive, flagsJson, versionText] = process.argv.slice(2);
const version = parseZkVersion(versionText ?? '');
if (flag === CDS_BUILDER_FLAG && tree && archive && flagsJson && version) {
  // The archive's directory (the cache's cds/) is all the builder may change.
  await mkdirOwned(path.dirname(archive), path.dirname(archive));
  // A second builder for the same archive waits for the first and then finds it built.
  await withLock(archive, 'the CDS archive', () => buildArchive(tree, archive, JSON.parse(flagsJson) as string[], version), 120_000).catch(() => undefined);
}
