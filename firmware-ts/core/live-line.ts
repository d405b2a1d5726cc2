/**
 * The one live line a terminal may keep at its bottom (the simulator's LEDs), shared by whoever
 * draws it and whoever writes log lines to the same terminal: a log line clears the live line,
 * takes its place and scrolls up, and the live line is drawn again under it, so neither overwrites
 * the other. Only for terminals; a pipe or a file gets plain lines and never a live line.
 * @module
 */

const live = new Map<number, string>();

/** What is drawn now on the bottom line of the terminal at `fd` (null: nothing). */
export function liveLine(fd: number): string | null {
  return live.get(fd) ?? null;
}

/** Records the text now drawn on the bottom line of `fd` (null when it was cleared). */
export function setLiveLine(fd: number, text: string | null): void {
  if (text === null) live.delete(fd);
  else live.set(fd, text);
}

/** Clears the live line of `fd`, for writing a whole line in its place. */
export const CLEAR_LINE = '\r\x1b[2K';
