/**
 * Reads a stream as lines with a hard cap per line, so a hostile producer cannot make us hold
 * an endless line in memory. An over-long line is still answered (its first `maxLength`
 * characters plus a flag), keeping one answer per input line.
 * @module
 */
import { StringDecoder } from 'node:string_decoder';

export interface Line {
  text: string;
  /** The line was longer than the cap; `text` holds only its beginning. */
  truncated: boolean;
}

export async function* readLines(stream: AsyncIterable<Buffer | string>, maxLength: number): AsyncGenerator<Line[]> {
  const decoder = new StringDecoder('utf8');
  let current = '';
  let truncated = false;
  let sawAny = false;
  for await (const chunk of stream) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const batch: Line[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      const piece = text.slice(start, nl === -1 ? undefined : nl);
      if (!truncated) {
        current += piece;
        if (current.length > maxLength) {
          current = current.slice(0, maxLength);
          truncated = true;
        }
      }
      sawAny = true;
      if (nl === -1) break;
      batch.push(finish(current, truncated));
      current = '';
      truncated = false;
      sawAny = false;
      start = nl + 1;
    }
    if (batch.length) yield batch;
  }
  current += decoder.end();
  if (sawAny && (current.length > 0 || truncated)) yield [finish(current.slice(0, maxLength), truncated || current.length > maxLength)];
}

function finish(text: string, truncated: boolean): Line {
  return { text: text.endsWith('\r') ? text.slice(0, -1) : text, truncated };
}
