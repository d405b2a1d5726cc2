/**
 * What a person expects of a camera scanner: a code held in view is one scan, not one per frame.
 * The same text seen again within `holdMs` of the last time it was seen is ignored, so a code
 * kept in front of the lens for a minute still counts once; a code taken away and shown again
 * after `holdMs` is a new scan; a different code is a new scan at once (and the one before it,
 * shown again, is new again). The hold outlives a restart of the camera: a code still in view
 * when the camera comes back is not scanned twice. Pure: the caller gives the instant.
 * @module
 */

export class RepeatFilter {
  private lastText: string | null = null;
  private lastSeenAt = -Infinity;

  constructor(private readonly holdMs: number) {}

  /** Whether a sighting of `text` at `nowMs` is a new scan; every sighting refreshes the hold. */
  isNew(text: string, nowMs: number): boolean {
    const repeat = text === this.lastText && nowMs - this.lastSeenAt < this.holdMs;
    this.lastText = text;
    this.lastSeenAt = nowMs;
    return !repeat;
  }
}
