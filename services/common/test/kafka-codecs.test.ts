import kafkajs from "kafkajs";
import { describe, expect, it } from "vitest";
import { installZstdCodec } from "../src/kafka-codecs.ts";

describe("installZstdCodec", () => {
  it("gives kafkajs a zstd codec whose batches come back byte for byte, and smaller", async () => {
    installZstdCodec();
    installZstdCodec(); // idempotent
    const codec = kafkajs.CompressionCodecs[kafkajs.CompressionTypes.ZSTD]();
    const records = Array.from({ length: 200 }, (_, i) =>
      JSON.stringify({ event_id: `co_${i}`, decision: "allow", text: "é😀", score: i / 7 }),
    ).join("\n");
    const buffer = Buffer.from(records);
    const compressed: Buffer = await codec.compress({ buffer });
    expect(compressed.length).toBeLessThan(buffer.length / 4);
    expect(Buffer.compare(await codec.decompress(compressed), buffer)).toBe(0);
  });
});
