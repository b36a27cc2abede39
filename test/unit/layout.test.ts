/**
 * The source tree stays readable as it grows (issue "Rooms by feature"): no folder under src/
 * holds more than about twelve modules, so a newcomer finds a feature by its folder's name;
 * a folder that outgrows that is split by feature, not left to sprawl. Import cycles are
 * checked by dependency-cruiser in `npm test` (npm run lint:deps).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');
/** "About twelve": twelve, and one over while a feature settles. */
const MOST = 13;

function folders(dir: string): string[] {
  const subs = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(dir, e.name));
  return [dir, ...subs.flatMap(folders)];
}

describe('the source tree', () => {
  it(`no folder under src/ holds more than ${MOST} modules`, () => {
    const crowded = folders(SRC)
      .map((d) => ({ dir: path.relative(SRC, d) || '.', modules: readdirSync(d).filter((f) => f.endsWith('.ts')).length }))
      .filter((d) => d.modules > MOST);
    expect(crowded).toEqual([]);
  });
});
