const zookeeper = require('node-zookeeper-client');

test('the ensemble serves', async () => {
  const client = zookeeper.createClient(process.env.ZK_CONNECT);
  await new Promise((resolve) => { client.once('connected', resolve); client.connect(); });
  const path = await new Promise((resolve, reject) =>
    client.create('/hello', Buffer.from('world'), zookeeper.CreateMode.EPHEMERAL, (err, p) => (err ? reject(err) : resolve(p))));
  expect(path).toBe('/hello');
  client.close();
});
