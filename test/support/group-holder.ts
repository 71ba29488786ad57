// A consumer-group member that holds the group's next rebalance, so a test can be inside another
// member's join for certain: it sits in its first batch without heartbeating, so it does not hear of
// the rebalance a new member's JoinGroup starts, and the broker answers that JoinGroup only once the
// holder is let go (or after the holder's 60 s session).
import type { Consumer, Kafka } from "kafkajs";
import { waitFor, withAdmin } from "./services.ts";

export interface GroupView {
  readonly state: string | undefined;
  /** The members' kafkajs client ids. */
  readonly clients: readonly string[];
}

export async function describeGroup(kafka: Kafka, groupId: string): Promise<GroupView> {
  return withAdmin(kafka, async (admin) => {
    const { groups } = await admin.describeGroups([groupId]);
    return { state: groups[0]?.state, clients: (groups[0]?.members ?? []).map((m) => m.clientId) };
  });
}

export class GroupHolder {
  private readonly kafka: Kafka;
  private readonly groupId: string;
  private readonly consumer: Consumer;
  private release = () => {};

  private constructor(kafka: Kafka, groupId: string) {
    this.kafka = kafka;
    this.groupId = groupId;
    this.consumer = kafka.consumer({ groupId, sessionTimeout: 60_000, rebalanceTimeout: 60_000 });
  }

  /** Joins `groupId` and sits in its first batch: `topics` must hold a message. */
  static async hold(kafka: Kafka, groupId: string, topics: string[]): Promise<GroupHolder> {
    const holder = new GroupHolder(kafka, groupId);
    const released = new Promise<void>((resolve) => {
      holder.release = () => resolve();
    });
    let holding = false;
    await holder.consumer.connect();
    await holder.consumer.subscribe({ topics, fromBeginning: true });
    // The batch ends unresolved: the holder commits nothing.
    await holder.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async () => {
        holding = true;
        await released;
      },
    });
    await waitFor(() => holding, { timeoutMs: 20_000, what: "the group holder inside its batch" });
    return holder;
  }

  /** Until another member's JoinGroup is in and unanswered: the group rebalances, two members listed. */
  async joinerHeld(): Promise<void> {
    await waitFor(
      async () => {
        const g = await describeGroup(this.kafka, this.groupId);
        return g.state === "PreparingRebalance" && g.clients.length === 2;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: "another member's JoinGroup held by the rebalance" },
    );
  }

  /** Ends the batch and leaves the group: the rebalance it held completes. */
  async letGo(): Promise<void> {
    this.release();
    await this.consumer.disconnect();
  }
}
