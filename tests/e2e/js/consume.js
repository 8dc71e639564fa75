// usage: node consume.js BROKER TOPIC GROUP COUNT
// Joins GROUP, subscribes from the beginning, collects COUNT messages, commits, leaves.
'use strict';
const { client, main } = require('./common');

main(async ([broker, topic, group, count]) => {
  const consumer = client(broker, 'otter-e2e-consumer').consumer({
    groupId: group,
    sessionTimeout: 10000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 200,
  });
  await consumer.connect();
  const messages = [];
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await new Promise((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            messages.push({
              partition,
              offset: message.offset,
              key: message.key && message.key.toString(),
              value: message.value && message.value.toString(),
              headers: Object.fromEntries(
                Object.entries(message.headers || {}).map(([k, v]) => [k, v && v.toString()])),
            });
            if (messages.length >= Number(count)) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.commitOffsets(
      [...new Set(messages.map((m) => m.partition))].map((p) => ({
        topic,
        partition: p,
        offset: String(Math.max(...messages.filter((m) => m.partition === p).map((m) => Number(m.offset))) + 1),
      })));
    const admin = client(broker, 'otter-e2e-admin').admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    await admin.disconnect();
    return { messages, committed };
  } finally {
    await consumer.disconnect();
  }
});
