import { promisify } from "node:util";
import { constants, zstdCompress, zstdDecompress } from "node:zlib";
import kafkajs from "kafkajs";

const compress = promisify(zstdCompress);
const decompress = promisify(zstdDecompress);

// Level 1: a decision batch is JSON with the same keys in every record, which zstd shrinks ~10x
// even at its fastest level; higher levels cost CPU the scoring path needs for little more.
const ZSTD_LEVEL = 1;

const zstd = {
  // On libuv's thread pool (async zlib), so a batch never stalls the event loop that answers checkouts.
  compress: (encoder: { buffer: Buffer }) =>
    compress(encoder.buffer, { params: { [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } }),
  decompress: (buffer: Buffer) => decompress(buffer),
};

/**
 * kafkajs ships no zstd codec; it looks codecs up in one registry of its own, so every process that
 * produces or consumes zstd batches (the decisions topic) installs this one before its first send or
 * fetch. Idempotent. Node's built-in zstd: no native add-on to install.
 */
export function installZstdCodec(): void {
  kafkajs.CompressionCodecs[kafkajs.CompressionTypes.ZSTD] = () => zstd;
}
