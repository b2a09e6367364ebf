/**
 * How a Node consumer of a download body says it is done with a chunk, so the Node transport may
 * read the next bytes into the same memory (reused-buffer-get.ts). This is the Node adapter's own
 * business, not the port's: to the core and to every sink, a body chunk is simply theirs to keep.
 *
 * The transport lends chunks that are views into its read buffers. When the consumer asks for the
 * next chunk without having called `finishedWith` on the last one, the transport assumes it was
 * kept: it never reads into that buffer again and copies every later chunk instead. So a consumer
 * that says nothing is always safe; one that writes each chunk out at once (the file sink) says so
 * and the download allocates nothing per chunk.
 */
const finished = new WeakSet<Uint8Array>();

/** The caller keeps no reference to `chunk` (nor to its memory): it may be overwritten. */
export const finishedWith = (chunk: Uint8Array): void => {
  finished.add(chunk);
};

/** Whether the consumer said it was done with `chunk` (asked once, by the lender). */
export const takeFinished = (chunk: Uint8Array): boolean => finished.delete(chunk);
