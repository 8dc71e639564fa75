// usage: node admin.js BROKER TOPIC PARTITIONS
// createTopics, fetchTopicMetadata, listTopics, createTopics again (must report "exists"),
// deleteTopics, listTopics; prints what it saw as JSON.
'use strict';
const { client, main } = require('./common');

main(async ([broker, topic, partitions]) => {
  const admin = client(broker, 'otter-e2e-admin').admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      topics: [{ topic, numPartitions: Number(partitions), replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 10000,
    });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const listed = await admin.listTopics();
    const createdAgain = await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], timeout: 10000 });
    const cluster = await admin.describeCluster();
    await admin.deleteTopics({ topics: [topic], timeout: 10000 });
    let listedAfter = await admin.listTopics();
    for (let i = 0; i < 20 && listedAfter.includes(topic); i++) {
      await new Promise((r) => setTimeout(r, 250));
      listedAfter = await admin.listTopics();
    }
    return {
      created,
      createdAgain,
      metadata: meta.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ id: p.partitionId, leader: p.leader, error: p.partitionErrorCode })),
      })),
      listed: listed.includes(topic),
      listedAfterDelete: listedAfter.includes(topic),
      cluster,
    };
  } finally {
    await admin.disconnect();
  }
});
