/**
 * A body stream that makes its bytes when it is first read. A Fetch Request or Response built from a
 * string or bytes copies them and queues them through an async step at once, read or not; this one
 * does that work on the first read, or never (the bridge writes its own answers' text as it is).
 * A high-water mark of 0 pulls nothing ahead.
 */
export function bodyStream(bytes: () => Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream(
    {
      pull(controller) {
        controller.enqueue(bytes());
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}
