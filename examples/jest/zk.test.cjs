const zookeeper = require('node-zookeeper-client');
const { open } = require('zkpseudo');

let zk;
beforeAll(async () => {
  zk = await open(process.env.ZK_ENSEMBLE);
});
// Each test starts from an empty tree: milliseconds, not a new ensemble.
beforeEach(() => zk.reset());

// When a test fails, show each server's last log lines under it.
const showingLogs = (fn) => async () => {
  try {
    await fn();
  } catch (err) {
    for (const s of zk.servers) console.log(`--- server ${s.id} ---\n${await zk.logs(s.id, { lines: 20 })}`);
    throw err;
  }
};

test('the ensemble serves', showingLogs(async () => {
  const client = zookeeper.createClient(process.env.ZK_CONNECT);
  await new Promise((resolve) => { client.once('connected', resolve); client.connect(); });
  const path = await new Promise((resolve, reject) =>
    client.create('/hello', Buffer.from('world'), zookeeper.CreateMode.PERSISTENT, (err, p) => (err ? reject(err) : resolve(p))));
  expect(path).toBe('/hello');
  client.close();
}));

test('the next test does not see it', showingLogs(async () => {
  expect(await zk.dump()).not.toContain('/hello');
}));

test('the survivors elect a new leader when the leader dies', showingLogs(async () => {
  const before = (await zk.status()).health.leader;
  await zk.kill('leader');
  const after = await zk.waitFor('new-leader', { timeout: '30s' }); // however soon the election ended
  expect(after.health.leader).not.toBe(before);
  await zk.start('all', { wait: true });
}));
