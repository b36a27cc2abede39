import { beforeAll, beforeEach, inject, test, expect } from 'vitest';
import zookeeper from 'node-zookeeper-client';
import { open, type Ensemble } from 'zkpseudo';

let zk: Ensemble;
beforeAll(async () => {
  zk = await open(inject('zk').name, { home: inject('zk').home });
});

// Each test starts from an empty tree (milliseconds, not a new ensemble); when one fails,
// each server's last log lines are shown under it.
beforeEach(async ({ onTestFailed }) => {
  await zk.reset();
  onTestFailed(async () => {
    for (const s of zk.servers) console.log(`--- server ${s.id} ---\n${await zk.logs(s.id, { lines: 20 })}`);
  });
});

test('the ensemble serves', async () => {
  const client = zookeeper.createClient(inject('zk').connectString);
  await new Promise<void>((resolve) => { client.once('connected', () => resolve()); client.connect(); });
  const path = await new Promise<string>((resolve, reject) =>
    client.create('/hello', Buffer.from('world'), zookeeper.CreateMode.PERSISTENT, (err, p) => (err ? reject(err) : resolve(p))));
  expect(path).toBe('/hello');
  client.close();
});

test('the next test does not see it', async () => {
  expect(await zk.dump()).not.toContain('/hello');
});

test('the survivors elect a new leader when the leader dies', async () => {
  const before = (await zk.status()).health.leader;
  await zk.kill('leader', { wait: true }); // returns once the other two have a new leader
  expect((await zk.status()).health.leader).not.toBe(before);
  await zk.start('all', { wait: true });
});
