/**
 * Feedback patterns as data: what the LEDs and the buzzer do, and when, for each verdict
 * (docs/DESIGN.md, Feedback) and for the "something is wrong with the device" alert. Pure: a
 * pattern is computed from configuration, then played by `PatternPlayer` on any indicator.
 * @module
 */

export type LedColor = 'green' | 'amber' | 'red';
export type FeedbackVerdict = 'accept' | 'warn' | 'reject';

/** What the indicator shows at one moment: at most one LED colour lit, buzzer on or off. */
export interface IndicatorOutput {
  led: LedColor | 'off';
  buzzer: boolean;
}

export const DARK: IndicatorOutput = Object.freeze({ led: 'off', buzzer: false });

/** The physical lines of an indicator: three lamps and a buzzer. */
export type OutputLine = 'green' | 'amber' | 'red' | 'buzzer';

/**
 * Which lines are on for an output. A unit wired without an amber lamp shows amber as green and
 * red together, as two-colour LEDs do.
 */
export function lineStates(output: IndicatorOutput, hasAmber: boolean): Record<OutputLine, boolean> {
  const amberAsBoth = output.led === 'amber' && !hasAmber;
  return {
    green: output.led === 'green' || amberAsBoth,
    red: output.led === 'red' || amberAsBoth,
    amber: output.led === 'amber',
    buzzer: output.buzzer,
  };
}

export interface TimelineStep {
  /** Milliseconds from the start of the pattern. */
  atMs: number;
  output: IndicatorOutput;
}

/** A pattern: outputs at instants from its start; strictly increasing `atMs`, first at 0. */
export interface Timeline {
  steps: readonly TimelineStep[];
  /** Length of the pattern; a one-shot pattern ends dark at this instant. */
  durationMs: number;
  /** Repeat forever (background alert) instead of ending. */
  loop: boolean;
}

/** Feedback for one verdict, from configuration. */
export interface VerdictFeedback {
  led: LedColor;
  /** How long the LED stays lit, in milliseconds. */
  ledMs: number;
  /** Buzzer durations in milliseconds, alternating on, off, on...; [] for silence. */
  buzzer: readonly number[];
}

/** The background alert (scanner lost, status list stale): a blinking LED, by default silent. */
export interface BlinkFeedback {
  led: LedColor;
  onMs: number;
  offMs: number;
}

export interface FeedbackConfig {
  accept: VerdictFeedback;
  warn: VerdictFeedback;
  reject: VerdictFeedback;
  alert: BlinkFeedback;
}

function buzzerOnAt(buzzer: readonly number[], t: number): boolean {
  let edge = 0;
  for (let i = 0; i < buzzer.length; i++) {
    edge += buzzer[i]!;
    if (t < edge) return i % 2 === 0;
  }
  return false;
}

function same(a: IndicatorOutput, b: IndicatorOutput): boolean {
  return a.led === b.led && a.buzzer === b.buzzer;
}

/** The one-shot timeline of a verdict's feedback. */
export function verdictTimeline(fb: VerdictFeedback): Timeline {
  const edges = new Set<number>([0, fb.ledMs]);
  let t = 0;
  for (const d of fb.buzzer) {
    t += d;
    edges.add(t);
  }
  const durationMs = Math.max(fb.ledMs, t);
  const steps: TimelineStep[] = [];
  for (const at of [...edges].filter((e) => e <= durationMs).sort((a, b) => a - b)) {
    const output: IndicatorOutput = {
      led: at < fb.ledMs ? fb.led : 'off',
      buzzer: buzzerOnAt(fb.buzzer, at),
    };
    const last = steps[steps.length - 1];
    if (!last || !same(last.output, output)) steps.push({ atMs: at, output });
  }
  return { steps, durationMs, loop: false };
}

/**
 * The looping timeline of the storage alert: records are not being kept (a full or failing SD
 * card). Two short red flashes and a pause, so it is told apart at a glance from the amber blink
 * of a lost scanner or a stale list, and from a red reject. Not configurable: it must always mean
 * the same thing to whoever services the device.
 */
export function storageAlertTimeline(): Timeline {
  const red: IndicatorOutput = { led: 'red', buzzer: false };
  return {
    steps: [
      { atMs: 0, output: red },
      { atMs: 150, output: DARK },
      { atMs: 300, output: red },
      { atMs: 450, output: DARK },
    ],
    durationMs: 1500,
    loop: true,
  };
}

/** The looping timeline of the background alert. */
export function blinkTimeline(fb: BlinkFeedback): Timeline {
  return {
    steps: [
      { atMs: 0, output: { led: fb.led, buzzer: false } },
      { atMs: fb.onMs, output: { ...DARK } },
    ],
    durationMs: fb.onMs + fb.offMs,
    loop: true,
  };
}

/** Timeline for a verdict under a feedback configuration. */
export function patternFor(verdict: FeedbackVerdict, feedback: FeedbackConfig): Timeline {
  return verdictTimeline(feedback[verdict]);
}

/** Plain words for a verdict's pattern, e.g. "green 1 s, 1 short beep". */
export function describeFeedback(fb: VerdictFeedback): string {
  const on = fb.buzzer.filter((_, i) => i % 2 === 0);
  const secs = `${+(fb.ledMs / 1000).toFixed(1)} s`;
  if (on.length === 0) return `${fb.led} ${secs}, silent`;
  const kind = on.every((d) => d >= 400) ? 'long buzz' : 'short beep';
  return `${fb.led} ${secs}, ${on.length} ${kind}${on.length > 1 ? 's' : ''}`;
}
